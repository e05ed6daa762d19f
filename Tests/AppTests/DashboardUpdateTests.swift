import Foundation
import Testing
@testable import App
@testable import Store

/// Key sequences through the pure update: what the state becomes, which effects it asks for.
@Suite struct DashboardUpdateTests {
    func press(_ keys: [KeyEvent], _ state: inout DashboardState) -> [DashboardEffect] {
        keys.flatMap { DashboardUpdate.update(&state, .key($0)) }
    }

    func type(_ text: String) -> [KeyEvent] { text.map { .character($0) } }

    @Test func createAnAccountThenANote() {
        var state = DashboardFixtures.state()
        let created = press([.character("a")] + type("Zoë") + [.enter], &state)
        #expect(created == [.createAccount(name: "Zoë")])
        #expect(state.mode == .browsing)
        let zoe = Account(name: "Zoë")
        #expect(DashboardUpdate.update(&state, .accountCreated(zoe)) == [.loadNotes(accountId: zoe.id)])
        #expect(state.notes.selectedAccountId == zoe.id, "a new account becomes the selection")

        let note = press([.character("n")] + type("hello ✓") + [.enter], &state)
        #expect(note == [.createNote(accountId: zoe.id, content: "hello ✓")])
        let saved = Note(creator: zoe.id, createdAt: Date(), updatedAt: Date(), content: "hello ✓")
        _ = DashboardUpdate.update(&state, .noteSaved(saved))
        #expect(state.notes.selectedNoteId == saved.id, "a new note becomes the selection")
        #expect(state.notes.focus == .notes)
    }

    @Test func editTheSelectedNoteWithCursorKeys() {
        var state = DashboardFixtures.state()
        let effects = press([.tab, .down, .character("e"), .end, .backspace, .left, .left, .character("X"), .home,
                             .character(">"), .enter], &state)
        #expect(effects == [.updateNote(DashboardFixtures.secondNote, content: ">Ship vX2 ")])
    }

    @Test func escapeCancelsAnEdit() {
        var state = DashboardFixtures.state()
        let effects = press([.tab, .enter] + type(" more") + [.escape], &state)
        #expect(effects.isEmpty)
        #expect(state.mode == .browsing)
    }

    @Test func deleteAsksFirst() {
        var state = DashboardFixtures.state()
        #expect(press([.tab, .character("x"), .character("n")], &state).isEmpty)
        #expect(state.mode == .browsing)
        #expect(press([.character("x"), .character("y")], &state) == [.deleteNote(DashboardFixtures.firstNote)])
        _ = DashboardUpdate.update(&state, .noteDeleted(DashboardFixtures.firstNote))
        #expect(state.notes.message == "note deleted")
    }

    @Test func movingBetweenAccountsLoadsTheirNotes() {
        var state = DashboardFixtures.state()
        #expect(press([.down], &state) == [.loadNotes(accountId: DashboardFixtures.bob.id)])
        #expect(press([.down], &state).isEmpty, "the selection stops at the last account")
        #expect(press([.up], &state) == [.loadNotes(accountId: DashboardFixtures.ada.id)])
        // Notes loaded for an account no longer selected are not shown; the selected one is loaded.
        let begun = state.notes.selectionChanges
        _ = press([.down], &state)
        let stale = DashboardUpdate.update(&state, .notesLoaded(accounts: state.notes.accounts, notes: [DashboardFixtures.firstNote],
                                                                forAccount: DashboardFixtures.ada.id, selectionChanges: begun))
        #expect(stale == [.loadNotes(accountId: DashboardFixtures.bob.id)])
        #expect(state.notes.notesAccountId == DashboardFixtures.ada.id && state.notes.selectedAccountId == DashboardFixtures.bob.id)
    }

    /// Moving among the notes shown keeps a load in flight: every later load holds them.
    @Test func movingAmongTheNotesShownKeepsALoadInFlight() {
        var state = DashboardFixtures.state()
        let begun = state.notes.selectionChanges
        _ = press([.tab, .down], &state)
        #expect(state.notes.selectedNoteId == DashboardFixtures.secondNote.id)
        let effects = DashboardUpdate.update(&state, .notesLoaded(accounts: state.notes.accounts,
                                                                  notes: [DashboardFixtures.firstNote, DashboardFixtures.secondNote],
                                                                  forAccount: DashboardFixtures.ada.id, selectionChanges: begun))
        #expect(effects.isEmpty && state.notes.selectedNoteId == DashboardFixtures.secondNote.id)
    }

    /// A refresh's load begun before an account (or a note) was created ends after it, without
    /// it: the new selection stands, and the next note goes to the new account.
    @Test func aLoadBegunBeforeACreationKeepsTheNewSelection() {
        var state = DashboardFixtures.state()
        let begun = state.notes.selectionChanges
        let zoe = Account(name: "Zoë")
        _ = DashboardUpdate.update(&state, .accountCreated(zoe))
        let stale = DashboardUpdate.update(&state, .notesLoaded(accounts: state.notes.accounts, notes: [DashboardFixtures.firstNote],
                                                                forAccount: DashboardFixtures.ada.id, selectionChanges: begun))
        #expect(stale == [.loadNotes(accountId: zoe.id)])
        #expect(press([.character("n")] + type("mine") + [.enter], &state) == [.createNote(accountId: zoe.id, content: "mine")])

        let saved = Note(creator: zoe.id, createdAt: Date(), updatedAt: Date(), content: "mine")
        let beforeSave = state.notes.selectionChanges
        _ = DashboardUpdate.update(&state, .noteSaved(saved))
        _ = DashboardUpdate.update(&state, .notesLoaded(accounts: state.notes.accounts + [.init(account: zoe, noteCount: 0)], notes: [],
                                                        forAccount: zoe.id, selectionChanges: beforeSave))
        #expect(state.notes.selectedNoteId == saved.id, "the new note stays selected")
    }

    @Test func mMovesTheSelectedAccountToTheNextShardAndPlusAddsOne() {
        var state = DashboardFixtures.state()   // Ada, selected, lives on shard 0 of 2
        #expect(DashboardUpdate.update(&state, .key(.character("m"))) == [.moveAccount(DashboardFixtures.ada.id, toShard: 1)])
        _ = DashboardUpdate.update(&state, .key(.down))   // Bob, on shard 1: wraps round to 0
        #expect(DashboardUpdate.update(&state, .key(.character("m"))) == [.moveAccount(DashboardFixtures.bob.id, toShard: 0)])
        #expect(DashboardUpdate.update(&state, .key(.character("+"))) == [.growShards(to: 3)])
        _ = DashboardUpdate.update(&state, .placementChanged("could not move the account: it already moves", isError: true))
        #expect(state.notes.message == "could not move the account: it already moves" && state.notes.messageIsError)
    }

    /// `M` migrates to the other engine — to PostgreSQL while a shard is on SQLite — and needs a
    /// server; `-` drains the newest active shard, never the last one.
    @Test func bigMMigratesToTheOtherEngineAndMinusDrainsTheNewestShard() {
        var state = DashboardFixtures.state()   // shard 0 on SQLite, shard 1 on PostgreSQL; no server known
        #expect(DashboardUpdate.update(&state, .key(.character("M"))).isEmpty)
        #expect(state.notes.message?.contains("scripts/run.sh --postgres") == true && state.notes.messageIsError, "\(state.notes.message ?? "")")
        var snapshot = DashboardFixtures.snapshot()
        snapshot.placement.postgres = PostgresMonitor.State(server: "PostgreSQL at 127.0.0.1:5432", up: true)
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        #expect(DashboardUpdate.update(&state, .key(.character("M"))) == [.migrate(to: .postgres)])
        snapshot.placement = PlacementView(placement: PlacementSnapshot(shardCount: 2, engines: [.postgres, .postgres], notesPerShard: [1, 1]),
                                           accounts: [])
        snapshot.placement.postgres = PostgresMonitor.State(server: "PostgreSQL at 127.0.0.1:5432", up: true)
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        #expect(DashboardUpdate.update(&state, .key(.character("M"))) == [.migrate(to: .sqlite)], "all on PostgreSQL: back to SQLite")
        #expect(DashboardUpdate.update(&state, .key(.character("-"))) == [.drainShard(1)])
        snapshot.placement = PlacementView(placement: PlacementSnapshot(shardCount: 2, states: [.retired, .active], notesPerShard: [0, 1]),
                                           accounts: [])
        _ = DashboardUpdate.update(&state, .refreshed(snapshot, logs: []))
        #expect(DashboardUpdate.update(&state, .key(.character("-"))).isEmpty, "one active shard is the fewest")
    }

    @Test func kAndHInjectFaultsIntoTheServingProxy() {
        var state = DashboardFixtures.state()
        #expect(press([.character("k")], &state) == [.injectFault(.kill)])
        #expect(press([.character("h")], &state) == [.injectFault(.hang)])
        #expect(press([.character("s")], &state) == [.injectFault(.slow)])
        #expect(press([.character("f")], &state) == [.injectFault(.errors)])
        #expect(press([.character("w")], &state) == [.injectFault(.wrong)])
        _ = DashboardUpdate.update(&state, .faultInjected("chaos: killed v1 (pid 4100) with SIGKILL"))
        #expect(DashboardRenderer.render(state, width: 120, height: 40, environment: DashboardFixtures.environment).text
            .contains("chaos: killed v1"))
    }

    @Test func aRefusedDeployShowsAMessageThatFades() {
        var state = DashboardFixtures.state()
        #expect(press([.character("d")], &state) == [.deploy])
        _ = DashboardUpdate.update(&state, .deployRefused("already deploying v2; wait for READY"))
        #expect(DashboardRenderer.render(state, width: 80, height: 24, environment: DashboardFixtures.environment).text.contains("already deploying v2"))
        for _ in 0..<DashboardUpdate.messageTicks {
            _ = DashboardUpdate.update(&state, .refreshed(DashboardFixtures.snapshot(), logs: []))
        }
        #expect(state.deployMessage == nil)
    }

    @Test func errorsShowInTheNotesPane() {
        var state = DashboardFixtures.state()
        _ = DashboardUpdate.update(&state, .failed("could not save the note: content is 70000 bytes; the limit is 65536 bytes"))
        #expect(state.notes.messageIsError)
        #expect(DashboardRenderer.render(state, width: 160, height: 48, environment: DashboardFixtures.environment).text.contains("could not save the note"))
        #expect(press([.character("a"), .enter], &state).isEmpty, "an empty account name is not sent")
        #expect(state.notes.message == "an account needs a name")
    }

    @Test func quitLoadToggleAndLogScrolling() {
        var state = DashboardFixtures.state()
        #expect(press([.character("g")], &state) == [.toggleLoad])
        #expect(press([.pageUp, .pageUp], &state).isEmpty)
        #expect(state.logScroll == 20)
        #expect(DashboardRenderer.render(state, width: 80, height: 24, environment: DashboardFixtures.environment).text.contains("line 20"))
        _ = press([.pageDown, .pageDown, .pageDown], &state)
        #expect(state.logScroll == 0)
        #expect(press([.interrupt], &state) == [.quit])
        var other = DashboardFixtures.state()
        #expect(press([.character("q")], &other) == [.quit])
        #expect(other.quitting)
    }

    @Test func textFieldEditsUTF8() {
        var field = TextField("añb")
        #expect(field.cursor == 3)
        _ = field.apply(.left)
        _ = field.apply(.backspace)
        #expect(field.text == "ab" && field.cursor == 1)
        _ = field.apply(.character("東"))
        _ = field.apply(.delete)
        #expect(field.text == "a東" && field.cursor == 2)
    }
}
