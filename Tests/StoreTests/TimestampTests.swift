import Foundation
import Testing
@testable import Store

@Suite struct TimestampTests {
    @Test func encodesMillisecondsInUTC() throws {
        let date = try Timestamp.decode("2026-11-28T10:00:00.123Z")
        #expect(Timestamp.encode(date) == "2026-11-28T10:00:00.123Z")
        #expect(Timestamp.encode(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.encode(Timestamp.date(milliseconds: 253_402_300_799_999)) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.encode(Timestamp.date(milliseconds: 253_402_300_800_000)) == "10000-01-01T00:00:00.000Z")
    }

    @Test func decodesWithOrWithoutFractionsAndOffsets() throws {
        #expect(try Timestamp.decode("2026-11-28T10:00:00Z") == Date(timeIntervalSince1970: 1_795_860_000))
        #expect(try Timestamp.decode("2026-11-28T11:00:00+01:00") == Date(timeIntervalSince1970: 1_795_860_000))
        #expect(throws: StoreError.self) { try Timestamp.decode("yesterday") }
    }

    @Test func aNoteSurvivesAJSONRoundTrip() throws {
        for _ in 0..<200 {
            let note = Note(creator: UUID(), createdAt: Note.now(), updatedAt: Timestamp.date(milliseconds: Timestamp.milliseconds(Note.now()) + 1), content: "x")
            let decoded = try JSONDecoder().decode(Note.self, from: JSONCoding.encoder().encode(note))
            #expect(decoded == note)
        }
    }

    @Test func noteJSONHasTheContractKeys() throws {
        let note = Note(creator: UUID(), createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 1), content: "c")
        let object = try JSONSerialization.jsonObject(with: JSONCoding.encoder().encode(note)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == ["id", "creator", "createdAt", "updatedAt", "content"])
        #expect(object?["updatedAt"] as? String == "1970-01-01T00:00:01.000Z")
    }
}

@Suite struct FastTimestampTests {
    /// The hand-written path agrees with Foundation's parser and formatter over a wide range.
    @Test func agreesWithFoundation() throws {
        let formatter = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let milliseconds = Int64.random(in: -2_000_000_000_000...8_000_000_000_000, using: &random)
            let date = Timestamp.date(milliseconds: milliseconds)
            let text = Timestamp.encode(date)
            #expect(Timestamp.parseUTC(text) == milliseconds, "\(text)")
            let foundation = try formatter.parse(text)
            #expect(Timestamp.milliseconds(foundation) == milliseconds, "\(text)")
        }
    }

    @Test func rejectsWhatIsNotATimestamp() {
        for text in ["2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01 00:00:00Z",
                     "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:0xZ"] {
            #expect(Timestamp.parseUTC(text) == nil, "\(text)")
        }
        #expect(Timestamp.parseUTC("2024-02-29T23:59:59.9995Z") == Timestamp.parseUTC("2024-03-01T00:00:00.000Z"))
        #expect(Timestamp.parseUTC("1970-01-01T00:00:00.5z") == 500)
    }
}

@Suite struct UUIDTextTests {
    @Test func agreesWithFoundation() {
        for _ in 0..<2000 {
            let id = UUID()
            #expect(UUIDText.format(id) == id.uuidString.lowercased(), "canonical text is lower case")
            #expect(UUIDText.storage(id) == id.uuidString, "SQLite keeps the upper case it always stored")
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
    }

    @Test func rejectsWhatIsNotAUUID() {
        for text in ["", "nope", "3F2504E0-4F89-11D3-9A0C-0305E82C330", "3F2504E0-4F89-11D3-9A0C-0305E82C33011",
                     "3F2504E0_4F89-11D3-9A0C-0305E82C3301", "3F2504E0-4F89-11D3-9A0C-0305E82C330G", "3F2504E04F8911D39A0C0305E82C3301"] {
            #expect(UUIDText.parse(text) == nil, "\(text)")
        }
    }
}
