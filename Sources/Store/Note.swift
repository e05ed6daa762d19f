import Foundation

/// One note. `creator` is the owning account and decides the shard the note lives on.
public struct Note: Hashable, Sendable, Identifiable {
    public var id: UUID
    public var creator: UUID
    public var createdAt: Date
    public var updatedAt: Date
    public var content: String

    public init(id: UUID = UUID(), creator: UUID, createdAt: Date, updatedAt: Date, content: String) {
        self.id = id
        self.creator = creator
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.content = content
    }
}

extension Note {
    /// Notes are stored and sent with millisecond precision; rounding once on creation keeps
    /// a note equal to itself after a round trip through JSON or SQLite.
    public static func now() -> Date { Timestamp.roundedToMilliseconds(Date()) }

    /// The note with new content, stamped strictly after the version it was edited from — now,
    /// or a millisecond after that version's stamp when the clock has not passed it (two edits
    /// in one millisecond, or a clock stepped back). The store keeps an update only when it is
    /// newer than the row, so an edit always replaces what it was made from, and a retry of an
    /// older edit never does.
    public func edited(content: String, at now: Date = Note.now()) -> Note {
        var note = self
        note.content = content
        note.updatedAt = max(now, Timestamp.roundedToMilliseconds(updatedAt + 0.001))
        return note
    }
}

// MARK: The JSON shape

extension Note {
    /// A note's JSON shape, written once for REST (`Codable`), the RPC wire (`JSONWriter`,
    /// `RPCParams`) and tests: an object of these five string fields — ids as UUID text, times
    /// as RFC 3339 — with keys in this (sorted) order.
    public enum Field: String, CaseIterable, CodingKey, Sendable {
        case content, createdAt, creator, id, updatedAt
    }

    /// A field's value that is not what the shape says (a bad UUID or timestamp).
    public struct InvalidField: Error, Sendable {
        public let field: Field
        public let text: String

        public var reason: String {
            switch field {
            case .id, .creator: "is not a valid UUID: \(text)"
            case .createdAt, .updatedAt: "is not an RFC 3339 timestamp: \(text)"
            case .content: "is not valid text"
            }
        }
    }

    /// The text of one field, as it is written in JSON.
    public func text(_ field: Field) -> String {
        switch field {
        case .content: content
        case .createdAt: Timestamp.encode(createdAt)
        case .creator: creator.uuidText
        case .id: id.uuidText
        case .updatedAt: Timestamp.encode(updatedAt)
        }
    }

    /// Builds a note from the text of its fields. Errors from `text` (a field missing or not a
    /// string) pass through; a value of the wrong form throws `InvalidField`.
    public init(fieldText text: (Field) throws -> String) throws {
        func uuid(_ field: Field) throws -> UUID {
            let value = try text(field)
            guard let id = UUIDText.parse(value) else { throw InvalidField(field: field, text: value) }
            return id
        }
        func date(_ field: Field) throws -> Date {
            let value = try text(field)
            guard let date = try? Timestamp.decode(value) else { throw InvalidField(field: field, text: value) }
            return date
        }
        self.init(id: try uuid(.id), creator: try uuid(.creator), createdAt: try date(.createdAt),
                  updatedAt: try date(.updatedAt), content: try text(.content))
    }
}

extension Note: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        do {
            try self.init { field in try container.decode(String.self, forKey: field) }
        } catch let error as InvalidField {
            throw DecodingError.dataCorruptedError(forKey: error.field, in: container, debugDescription: "\(error.field.rawValue) \(error.reason)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        for field in Field.allCases { try container.encode(text(field), forKey: field) }
    }
}
