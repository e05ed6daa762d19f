import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves a `DataProxy` as `POST /rpc` on 127.0.0.1 (`RPCHTTPHandler` answers each request).
/// Runs as a service until cancelled or gracefully shut down; a graceful shutdown stops
/// accepting, lets the requests in flight finish, then closes every connection.
public struct DataProxyServer: Service {
    /// The environment variable a parent sets to a fresh random token for each child; the
    /// child then requires it as a bearer token on every request.
    public static let tokenVariable = "NOTELY_PROXY_TOKEN"

    public let proxy: DataProxy
    public let port: Int
    public let token: String?
    private let onRunning: @Sendable (Int) async -> Void

    /// - Parameter onRunning: called with the bound port once the server accepts connections.
    public init(proxy: DataProxy, port: Int, token: String?, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.proxy = proxy
        self.port = port
        self.token = token
        self.onRunning = onRunning
    }

    /// One connection's handlers: NIO's HTTP/1.1 server codec (pipelining, protocol errors) and
    /// `RPCHTTPHandler`. Call on the channel's event loop. Tests set up an embedded channel the
    /// same way.
    static func configure(_ channel: any Channel, proxy: DataProxy, token: String?, storeExecutor: StoreExecutor) throws {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(RPCHTTPHandler(proxy: proxy, token: token, storeExecutor: storeExecutor))
    }

    public func run() async throws {
        let connections = OpenConnections()
        let (proxy, token, storeExecutor) = (proxy, token, StoreExecutor())
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, proxy: proxy, token: token, storeExecutor: storeExecutor)
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        await onRunning(server.localAddress?.port ?? port)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await server.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            server.close(promise: nil)
        }
        await connections.quiesce()
    }
}

/// The server's open connections, so a shutdown can ask each to close once its request in
/// flight (if any) is answered, and wait until all have.
private final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: key) } }
    }

    /// NIO's `HTTPServerPipelineHandler` closes an idle connection on this event at once, and
    /// a busy one after its response.
    func quiesce() async {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            try? await channel.closeFuture.get()
        }
    }
}
