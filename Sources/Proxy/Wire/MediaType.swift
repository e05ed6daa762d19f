/// The one check of a JSON body's media type, for the REST API and the proxy's `/rpc` alike.
public enum MediaType {
    /// `application/json`, in any case, alone or with parameters (`; charset=utf-8`) — and
    /// nothing else: `application/jsonx` and `application/json-seq` are other types. Checked on
    /// the UTF-8 bytes without allocating, since every request asks.
    public static func isJSON(_ contentType: String) -> Bool {
        let expected = "application/json".utf8
        var given = contentType.utf8[...]
        while let first = given.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { given = given.dropFirst() }
        guard given.count >= expected.count else { return false }
        for wanted in expected {
            let byte = given.removeFirst()
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            guard lowered == wanted else { return false }
        }
        // What follows the type: nothing, or (after blanks) its parameters.
        while let first = given.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { given = given.dropFirst() }
        return given.isEmpty || given.first == UInt8(ascii: ";")
    }
}
