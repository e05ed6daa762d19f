import Foundation
import Testing
import TestSupport
@testable import Proxy
@testable import Store

/// A real proxy told to misbehave (`SetFault`): it refuses calls unapplied, spoils reads and
/// never what it stores, and behaves again when told.
@Suite struct MisbehaviourTests {
    @Test func aRefusedCallNeverAppliedAndASpoiledReadNeverStuck() async throws {
        let harness = ProxyHarness()
        let process = try await harness.launch(id: 3)
        let client = process.client
        let account = UUID()

        try await client.setFault(.errors)
        var created: [Note] = []
        var refused = 0
        for index in 0..<80 {
            let note = Note(creator: account, createdAt: Note.now(), updatedAt: Note.now(), content: "note \(index)")
            do {
                try await client.createNote(accountId: account, note: note)
                created.append(note)
            } catch let error as ProxyClientError where error.isRefused {
                refused += 1
                #expect(error.description.contains("v3 refused the call before running it"), "\(error)")
            }
        }
        #expect(refused > 0 && refused < 80, "about a quarter refused: \(refused)")

        try await client.setFault(.wrong)
        let first = try #require(created.first)
        var spoiled = 0
        for _ in 0..<80 {
            let read = try #require(try await client.getNote(accountId: account, noteId: first.id))
            #expect(read.id == first.id && read.updatedAt == first.updatedAt)
            if read.content != first.content { spoiled += 1 }
        }
        #expect(spoiled > 0 && spoiled < 80, "about a quarter spoiled: \(spoiled)")

        try await client.setFault(nil)
        #expect(try await client.countNotes(accountId: account) == created.count, "no refused create landed")
        #expect(try await client.listNotes(accountId: account) == created, "nothing spoiled was stored")

        await #expect(throws: ProxyClientError.rpc(proxyId: 3, .invalidParams("fault must be one of slow, errors, wrong, got bogus"))) {
            _ = try await client.send(.setFault) { $0.raw(#"{"fault":"bogus"}"#) }
        }
        await process.shutdown(logger: harness.logger)
    }

    /// A step judges a version on the round trip its event loop saw: a slow proxy's added
    /// latency is in it, and a store error is an answer with a round trip too.
    @Test func theRoundTripIsWhatTheProxyTook() async throws {
        let harness = ProxyHarness()
        let process = try await harness.launch(id: 3)
        let client = process.client
        try await client.setFault(.slow)
        let started = ContinuousClock.now
        var roundTrip: Duration?
        let missing = NoteStoreCall.getNote(accountId: UUID(), noteId: UUID())
        #expect(try await client.perform(missing, deadline: Date() + 5, roundTrip: &roundTrip) == .note(nil))
        let took = ContinuousClock.now - started
        let measured = try #require(roundTrip)
        #expect(measured >= Misbehaviour.addedLatency && measured <= took, "\(measured) of \(took)")

        try await client.setFault(nil)
        roundTrip = nil
        await #expect(throws: StoreError.self) {
            let never = Note(creator: UUID(), createdAt: Note.now(), updatedAt: Note.now(), content: "never stored")
            return try await client.perform(.updateNote(accountId: never.creator, note: never), deadline: Date() + 5, roundTrip: &roundTrip)
        }
        #expect(roundTrip.map { $0 < Misbehaviour.addedLatency } == true, "\(String(describing: roundTrip))")
        await process.shutdown(logger: harness.logger)
    }
}
