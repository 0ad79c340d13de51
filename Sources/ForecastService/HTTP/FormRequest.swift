import Foundation

/// The forecast form's submission (`application/x-www-form-urlencoded`) as the JSON execution request it stands
/// for, so that one parser checks both: the fields model, init, forcing and days; days stays text when it is
/// not a number, for the parser to refuse by name.
enum FormRequest {
    static func json(_ form: String) -> Data {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { decode(String($0)) }
            if let key = parts.first, ["model", "init", "forcing", "days"].contains(key) { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        var inputs: [String: Any] = fields
        if let days = fields["days"].flatMap(Int.init) { inputs["days"] = days }
        return (try? JSONSerialization.data(withJSONObject: ["inputs": inputs])) ?? Data()
    }

    /// A form value decoded: `+` is a space, `%XX` a byte.
    private static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}
