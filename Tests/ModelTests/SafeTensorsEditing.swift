import Foundation

/// A safetensors file taken apart into its entries so that a test can damage one thing and write it back.
struct SafeTensorsEditing {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var bytes: Data
    }

    var entries: [Entry]

    /// Reads `path` (a valid file).
    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        entries = header.compactMap { name, value -> Entry? in
            guard name != "__metadata__", let fields = value as? [String: Any] else { return nil }
            let offsets = fields["data_offsets"] as! [Int]
            return Entry(name: name, dtype: fields["dtype"] as! String, shape: fields["shape"] as! [Int],
                         bytes: data.subdata(in: (8 + length + offsets[0])..<(8 + length + offsets[1])))
        }.sorted { $0.name < $1.name }
    }

    /// The entry called `name`.
    subscript(name: String) -> Entry {
        get { entries.first { $0.name == name }! }
        set { entries[entries.firstIndex { $0.name == name }!] = newValue }
    }

    /// Writes the file; `lie` may rewrite each entry's header fields after the offsets are computed.
    func write(to path: String, lie: (String, inout [String: Any]) -> Void = { _, _ in }) throws {
        var header: [String: Any] = [:]
        var body = Data()
        for entry in entries {
            var fields: [String: Any] = ["dtype": entry.dtype, "shape": entry.shape,
                                         "data_offsets": [body.count, body.count + entry.bytes.count]]
            lie(entry.name, &fields)
            header[entry.name] = fields
            body.append(entry.bytes)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) }
        file.append(json)
        file.append(body)
        try file.write(to: URL(fileURLWithPath: path))
    }
}
