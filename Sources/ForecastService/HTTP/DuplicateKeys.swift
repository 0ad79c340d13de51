import Foundation

/// Finds a key written twice in one JSON object. JSON parsers keep one of the two silently (Foundation's keeps
/// the last), so `{"days": 1, "days": 300}` would mean whatever the parser chose; the service refuses it instead.
enum DuplicateKeys {
    /// The first key that appears twice in the same object of `json`, as written (escapes not decoded); nil when
    /// there is none. `json` is assumed to parse; on malformed text the answer is only a best effort.
    static func first(in json: Data) -> String? {
        // One entry per open container: the keys seen so far for an object, nil for an array.
        var stack: [Set<String>?] = []
        var expectingKey = false
        var index = json.startIndex
        while index < json.endIndex {
            let byte = json[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                stack.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = stack.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var end = json.index(after: index)
                while end < json.endIndex && json[end] != UInt8(ascii: "\"") {
                    end = json.index(end, offsetBy: json[end] == UInt8(ascii: "\\") ? 2 : 1, limitedBy: json.endIndex) ?? json.endIndex
                }
                if expectingKey, case .some(.some(var keys)) = stack.last {
                    let key = String(decoding: json[json.index(after: index)..<min(end, json.endIndex)], as: UTF8.self)
                    if !keys.insert(key).inserted { return key }
                    stack[stack.count - 1] = keys
                    expectingKey = false
                }
                index = end
            default:
                break
            }
            index = json.index(after: index, limitedBy: json.endIndex) ?? json.endIndex
        }
        return nil
    }
}

private extension Data {
    func index(after i: Index, limitedBy limit: Index) -> Index? {
        i < limit ? index(after: i) : nil
    }
}
