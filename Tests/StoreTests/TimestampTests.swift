import Foundation
import Testing
@testable import Store

@Suite struct TimestampTests {
    @Test func encodesMillisecondsInUTC() throws {
        let date = try Timestamp.decode("2026-11-28T10:00:00.123Z")
        #expect(Timestamp.encode(date) == "2026-11-28T10:00:00.123Z")
        #expect(Timestamp.encode(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
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
