/// The methods a data proxy serves (the protocol contract; see docs/PROTOCOL.md).
public enum RPCMethod: String, CaseIterable, Sendable {
    case listNotes = "ListNotes"
    case getNote = "GetNote"
    case createNote = "CreateNote"
    case updateNote = "UpdateNote"
    case deleteNote = "DeleteNote"
    case countNotes = "CountNotes"
    case getTotalNotes = "GetTotalNotes"
    case healthCheck = "HealthCheck"
    case ready = "Ready"
    case exportShardStats = "ExportShardStats"
}
