import Foundation
import Store

/// What the load generator expects one of its accounts to hold, and the judge of every answer.
///
/// It remembers a hash of the content last acknowledged for each note. A write whose answer
/// was lost (a failure) may or may not have happened, so the note then accepts either state
/// until a read settles it; nothing else is forgiven. Pure: no I/O, no clock, no randomness
/// of its own — tests drive it answer by answer.
struct LoadModel: Sendable {
    /// Content hash; `nil` stands for "the note does not exist".
    typealias ContentHash = UInt64

    enum Operation: Equatable, Sendable {
        case create(content: String)
        case update(noteId: UUID, content: String)
        case read(noteId: UUID)
        case delete(noteId: UUID)
        case list
    }

    /// What the server said. `failed` is a non-2xx status (other than a read's 404) or a
    /// transport error: the write may or may not have happened.
    enum Outcome: Equatable, Sendable {
        case created(noteId: UUID, content: String)
        case updated
        case deleted
        case read(content: String?)
        case listed([UUID: String])
        case failed
    }

    /// A read or list that disagrees with the last acknowledged writes.
    struct Miss: Error, Equatable, Sendable, CustomStringConvertible {
        let description: String
    }

    static let maxNotes = 20

    let accountId: UUID
    /// Per note, the states a read may find (more than one only after a failed write).
    private(set) var expected: [UUID: Set<ContentHash?>] = [:]
    /// Contents of creates whose answer was lost: such a note may turn up in a list.
    private(set) var unacknowledgedCreates: [ContentHash] = []
    private var writes = 0

    init(accountId: UUID, existing: [UUID: String] = [:]) {
        self.accountId = accountId
        for (id, content) in existing { expected[id] = [Self.hash(content)] }
    }

    /// Notes that surely exist (update and delete go only to these).
    var existingNotes: [UUID] {
        expected.filter { !$0.value.contains(nil) }.keys.sorted()
    }

    /// Picks the next operation: reads 35 %, lists 20 %, creates 20 %, updates 15 %, deletes 10 %.
    mutating func nextOperation(using random: inout some RandomNumberGenerator) -> Operation {
        writes += 1
        let content = "load \(accountId.uuidText.prefix(8)) write \(writes) \(UInt32.random(in: 0...UInt32.max, using: &random))"
        let existing = existingNotes
        guard let target = existing.randomElement(using: &random) else { return .create(content: content) }
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<35: return .read(noteId: expected.keys.randomElement(using: &random) ?? target)
        case 35..<55: return .list
        case 55..<75: return existing.count >= Self.maxNotes ? .delete(noteId: target) : .create(content: content)
        case 75..<90: return .update(noteId: target, content: content)
        default: return .delete(noteId: target)
        }
    }

    /// Records an answer; throws a `Miss` when it contradicts what was acknowledged before.
    mutating func apply(_ operation: Operation, _ outcome: Outcome) throws(Miss) {
        switch (operation, outcome) {
        case (.create, .created(let id, let content)):
            expected[id] = [Self.hash(content)]
        case (.create(let content), .failed):
            unacknowledgedCreates.append(Self.hash(content))
        case (.update(let id, let content), .updated):
            expected[id] = [Self.hash(content)]
        case (.update(let id, let content), .failed):
            expected[id, default: [nil]].insert(Self.hash(content))
        case (.delete(let id), .deleted):
            expected[id] = nil
        case (.delete(let id), .failed):
            expected[id, default: []].insert(nil)
        case (.read(let id), .read(let content)):
            try settle(id, observed: content.map(Self.hash))
        case (.list, .listed(let notes)):
            try checkList(notes)
        case (.read, .failed), (.list, .failed):
            break
        default:
            throw Miss(description: "unexpected answer \(outcome) to \(operation)")
        }
    }

    private mutating func settle(_ id: UUID, observed: ContentHash?) throws(Miss) {
        let acceptable = expected[id] ?? [nil]
        expected[id] = observed == nil ? nil : [observed]
        guard acceptable.contains(observed) else {
            let saw = observed == nil ? "no note" : "other content"
            throw Miss(description: "note \(id.uuidText.prefix(8)): read \(saw) than last acknowledged")
        }
    }

    private mutating func checkList(_ notes: [UUID: String]) throws(Miss) {
        var problems: [String] = []
        for id in Set(expected.keys).union(notes.keys) {
            let observed = notes[id].map(Self.hash)
            if expected[id] == nil, let observed, let index = unacknowledgedCreates.firstIndex(of: observed) {
                unacknowledgedCreates.remove(at: index)   // a create whose answer was lost did happen
                expected[id] = [observed]
                continue
            }
            do { try settle(id, observed: observed) } catch { problems.append(error.description) }
        }
        if !problems.isEmpty {
            throw Miss(description: "list disagrees: " + problems.sorted().joined(separator: "; "))
        }
    }

    /// FNV-1a 64 of the UTF-8 bytes: stable, cheap, and plenty to tell contents apart.
    static func hash(_ content: String) -> ContentHash { FNV1a.hash(content.utf8) }
}
