"""What the benchmark scripts share: the machine's description and how a result is printed and saved."""
import json, os, platform


def machine():
    """CPU model and count, as `forecastd bench` writes them."""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.machine()
    return f"{model}, {os.cpu_count()} CPUs"


def emit(result, path=None):
    """Prints `result` as indented JSON and, with `path`, writes the same text there."""
    text = json.dumps(result, indent=2)
    print(text)
    if path:
        with open(path, "w") as out:
            out.write(text + "\n")
