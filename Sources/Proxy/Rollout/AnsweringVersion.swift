import Synchronization

/// Which proxy version answered the store calls of one request, for the REST API's
/// `Notely-Version` header: the API binds one to the task serving the request, and routing
/// records each answer's version in it (the last answer wins).
public final class AnsweringVersion: Sendable {
    @TaskLocal public static var current: AnsweringVersion?

    private let version = Mutex<Int?>(nil)

    public init() {}

    public var value: Int? { version.withLock { $0 } }

    func record(_ id: Int) { version.withLock { $0 = id } }
}
