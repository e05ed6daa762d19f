import Foundation
import Store
import Testing
@testable import Proxy

/// The hand-written JSON reader and writer on the RPC path, checked against the grammar and
/// against Foundation, which they replace there.
@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Data(text.utf8))
    }

    @Test func readsEveryKind() throws {
        let value = try parse(#" { "a" : [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], "b": {"c": "d"}, "e": [] , "f": {} } "#)
        #expect(value == .object([
            "a": .array([.integer(1), .integer(-2), .double(3.5), .double(1000), .double(-0.0025), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]),
            "e": .array([]),
            "f": .object([:]),
        ]))
        #expect(try parse("0") == .integer(0))
        #expect(try parse("\"\"") == .string(""))
    }

    @Test func integersKeepSixtyFourBitsAndLargerOnesBecomeDoubles() throws {
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("-9223372036854775808") == .integer(.min))
        #expect(try parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try parse("-9223372036854775809") == .double(Double("-9223372036854775809")!))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test func readsEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""caf\u00e9 \u00E9""#) == .string("café é"))
        #expect(try parse(#""\ud83d\ude00 smile""#) == .string("😀 smile"))
        #expect(try parse("\"plain é 😀 text\"") == .string("plain é 😀 text"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}", "01", "-", "1.", ".5", "1e", "+1",
        "tru", "nul", "NaN", "Infinity", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83d alone\"",
        "\"\\ude00 low\"", "1 2", "{} x", "// comment\n1", "1e999", "\"tab\there\"",
    ])
    func rejectsWhatIsNotJSON(text: String) {
        #expect(throws: JSONParseError.self, "\(text)") { try parse(text) }
    }

    @Test func rejectsInvalidUTF8AndSaysWhere() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError(offset: 6, reason: "a string is not valid UTF-8")) { try JSONParser.parse(Data(bytes)) }
        #expect(throws: JSONParseError(offset: 6, reason: "expected a string key")) { try parse("[{}, {1:2}]") }
        #expect(throws: JSONParseError(offset: 4, reason: "unexpected end of text")) { try parse("[1, ") }
        #expect(throws: JSONParseError(offset: 6, reason: "unexpected end of text")) { try parse(#"{"a":1"#) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        _ = try parse(deep)
        let tooDeep = "[" + deep + "]"
        #expect(throws: JSONParseError.self) { try parse(tooDeep) }
        let hugeDepth = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(hugeDepth) }
    }

    @Test func writtenStringsReadBackTheSameHereAndInFoundation() throws {
        let samples = ["", "plain", "quote \" backslash \\ slash /", "é 😀 中文", "\u{7f} del", "\u{2028}\u{2029}"]
            + (0..<32).map { "control \(Unicode.Scalar(UInt8($0))) char" }
        for sample in samples {
            var writer = JSONWriter()
            writer.value(.array([.string(sample)]))
            #expect(try JSONParser.parse(writer.data) == .array([.string(sample)]))
            let foundation = try JSONSerialization.jsonObject(with: writer.data) as? [String]
            #expect(foundation == [sample], "\(sample.debugDescription)")
        }
    }

    @Test func writesValuesWithSortedKeys() throws {
        var writer = JSONWriter()
        writer.value(.object(["b": .array([.integer(-3), .double(0.5), .bool(true), .null]), "a": .object(["z": .string("x")])]))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":{"z":"x"},"b":[-3,0.5,true,null]}"#)
    }

    /// `Note.Field` is the one shape: the RPC writer, `Codable` (REST) and the RPC reader all
    /// follow it, so this pins the contract once for all three.
    @Test func aNoteHasOneJSONShapeOnEveryPath() throws {
        let note = Note(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!,
                        creator: UUID(uuidString: "00000000-0000-0000-0000-0000000000B2")!,
                        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 1.5),
                        content: "line\n\"quoted\" é 😀 / \u{1}")
        let expected = #"{"content":"line\n\"quoted\" é 😀 / \u0001","createdAt":"1970-01-01T00:00:00.000Z","#
            + #""creator":"00000000-0000-0000-0000-0000000000b2","id":"00000000-0000-0000-0000-0000000000a1","#
            + #""updatedAt":"1970-01-01T00:00:01.500Z"}"#
        var writer = JSONWriter()
        writer.note(note)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        #expect(String(decoding: try JSONCoding.encoder().encode(note), as: UTF8.self) == expected)
        #expect(try RPCParams.note(try parse(expected), path: "note") == note)
        #expect(try JSONDecoder().decode(Note.self, from: Data(expected.utf8)) == note)
    }

    @Test func aNoteWithABadFieldIsRefusedNamingIt() throws {
        let text = #"{"content":"x","createdAt":"yesterday","creator":"00000000-0000-0000-0000-0000000000B2","#
            + #""id":"00000000-0000-0000-0000-0000000000A1","updatedAt":"1970-01-01T00:00:01.500Z"}"#
        #expect(throws: RPCError.invalidParams("note.createdAt is not an RFC 3339 timestamp: yesterday")) {
            try RPCParams.note(try parse(text), path: "note")
        }
        #expect(throws: RPCError.invalidParams("note.id is missing")) { try RPCParams.note(try parse(#"{"content":"x"}"#), path: "note") }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Note.self, from: Data(text.utf8)) }
    }

    @Test func writesReadyAsJSONCodingDoesAndReadsItBack() throws {
        let info = ReadyInfo(ready: true, proxyId: 3, pid: 4242, shards: ["shard-0", "shard-1"], startedAt: Note.now())
        #expect(info.json == (try JSONCoding.encoder().encode(info)))
        #expect(ReadyInfo(json: try JSONParser.parse(info.json)) == info)
        #expect(ReadyInfo(json: try parse(#"{"ready":true,"proxyId":3,"pid":1,"shards":[1],"startedAt":"2026-11-29T00:00:00Z"}"#)) == nil)
        #expect(ReadyInfo(json: try parse(#"{"ready":true,"proxyId":3,"pid":1,"shards":[],"startedAt":"soon"}"#)) == nil)
    }
}
