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
}
