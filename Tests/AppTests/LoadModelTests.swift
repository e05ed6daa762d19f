import Foundation
import Testing
@testable import App

/// The judge of the load generator's answers, driven answer by answer.
@Suite struct LoadModelTests {
    let account = UUID()

    @Test func acknowledgedWritesMustBeReadBack() throws {
        var model = LoadModel(accountId: account)
        let note = UUID()
        try model.apply(.create(content: "a"), .created(noteId: note, content: "a"))
        try model.apply(.read(noteId: note), .read(content: "a"))
        try model.apply(.update(noteId: note, content: "b"), .updated)
        #expect(throws: LoadModel.Miss.self) { try model.apply(.read(noteId: note), .read(content: "a")) }   // stale
        try model.apply(.read(noteId: note), .read(content: "a"))   // resynced: one miss is counted once
        try model.apply(.delete(noteId: note), .deleted)
        try model.apply(.read(noteId: note), .read(content: nil))
        #expect(throws: LoadModel.Miss.self) { try model.apply(.list, .listed([note: "a"])) }   // deleted note came back
    }

    @Test func listsMustMatchExactly() throws {
        var model = LoadModel(accountId: account)
        let (first, second) = (UUID(), UUID())
        try model.apply(.create(content: "1"), .created(noteId: first, content: "1"))
        try model.apply(.create(content: "2"), .created(noteId: second, content: "2"))
        try model.apply(.list, .listed([first: "1", second: "2"]))
        #expect(throws: LoadModel.Miss.self) { try model.apply(.list, .listed([first: "1"])) }   // missing
        var fresh = LoadModel(accountId: account, existing: [first: "1"])
        #expect(throws: LoadModel.Miss.self) { try fresh.apply(.list, .listed([first: "1", UUID(): "x"])) }   // extra
    }

    @Test func aFailedWriteAcceptsEitherStateUntilARead() throws {
        var model = LoadModel(accountId: account, existing: [UUID(): "seed"])
        let note = try #require(model.existingNotes.first)
        try model.apply(.update(noteId: note, content: "new"), .failed)
        try model.apply(.read(noteId: note), .read(content: "seed"))   // the update did not happen
        #expect(throws: LoadModel.Miss.self) { try model.apply(.read(noteId: note), .read(content: "new")) }

        var other = LoadModel(accountId: account, existing: [note: "seed"])
        try other.apply(.delete(noteId: note), .failed)
        #expect(other.existingNotes.isEmpty, "a note that may be gone is not a target for writes")
        try other.apply(.read(noteId: note), .read(content: nil))   // the delete did happen

        var creating = LoadModel(accountId: account)
        try creating.apply(.create(content: "lost answer"), .failed)
        let appeared = UUID()
        try creating.apply(.list, .listed([appeared: "lost answer"]))   // adopted, not an extra
        try creating.apply(.read(noteId: appeared), .read(content: "lost answer"))
    }

    @Test func operationsTargetExistingNotesAndStayBounded() {
        var model = LoadModel(accountId: account)
        var random = SystemRandomNumberGenerator()
        guard case .create = model.nextOperation(using: &random) else {
            Issue.record("an empty account must start with a create")
            return
        }
        var seeded = LoadModel(accountId: account, existing: Dictionary(uniqueKeysWithValues: (0..<LoadModel.maxNotes).map { (UUID(), "n\($0)") }))
        for _ in 0..<500 {
            switch seeded.nextOperation(using: &random) {
            case .create: Issue.record("created beyond the bound")
            case .update(let id, _), .delete(let id), .read(let id): #expect(seeded.existingNotes.contains(id))
            case .list: break
            }
        }
    }
}
