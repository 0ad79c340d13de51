// swift-tools-version: 6.0
import PackageDescription
import Foundation

// Release builds compile the kernels for one CPU. FORECASTD_TARGET_CPU picks it: `native` (the default:
// the machine that builds), a CPU name such as `skylake-avx512` or `haswell` (AVX2 + FMA) for a compute
// node, or `x86-64` for a portable binary. Debug builds are always portable.
let targetCPU = ProcessInfo.processInfo.environment["FORECASTD_TARGET_CPU"] ?? "native"

let kernelSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU, "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]
let kernelCSettings: [CSetting] = [
    .unsafeFlags(["-march=\(targetCPU)", "-O3", "-ffp-contract=fast", "-fno-math-errno", "-mprefer-vector-width=512"], .when(configuration: .release)),
]

let package = Package(
    name: "forecastd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "forecastd", targets: ["forecastd"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NetCDF", targets: ["NetCDF"]),
        .library(name: "OceanModel", targets: ["OceanModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNetCDF", pkgConfig: "netcdf", providers: [.apt(["libnetcdf-dev"])]),
        .target(name: "CProcessor", cSettings: kernelCSettings),
        .target(name: "CKernels", cSettings: kernelCSettings),
        .target(name: "CBulkFluxes", cSettings: kernelCSettings + [.unsafeFlags(["-fveclib=libmvec"], .when(configuration: .release))],
                linkerSettings: [.linkedLibrary("mvec")]),
        .target(name: "CStepper", cSettings: kernelCSettings),
        .target(name: "Tensor", dependencies: ["CBLAS", "CProcessor", "CKernels"], swiftSettings: kernelSwiftSettings),
        .target(name: "NetCDF", dependencies: ["CNetCDF"]),
        .target(name: "OceanModel", dependencies: ["Tensor", "NetCDF", "CBulkFluxes", "CStepper"], swiftSettings: kernelSwiftSettings),
        .executableTarget(
            name: "forecastd",
            dependencies: [
                "Tensor", "NetCDF", "OceanModel", "CBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelSwiftSettings
        ),
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CAllocationCounter", "TestSupport"]),
        .testTarget(name: "NetCDFTests", dependencies: ["NetCDF", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "OceanModelTests", dependencies: ["OceanModel", "Tensor", "CAllocationCounter", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: kernelSwiftSettings),
    ]
)
