import Store

/// Routing: every note-store call goes to a serving version, at random when two serve.
extension DeploymentController {
    public func perform(_ call: NoteStoreCall) async throws -> NoteStoreAnswer {
        try await route { try await $0.perform(call) }
    }

    /// Sends a call to a serving version. A call that never left this process (nothing
    /// listening) is sent once more to the other serving version; nothing else is retried,
    /// because it may have reached a proxy.
    private func route<T: Sendable>(_ call: (ProxyClient) async throws -> T) async throws -> T {
        guard let chosen = enterServingProxy() else { throw DeployError.noServingProxy }
        do {
            defer { chosen.leave() }
            return try await call(chosen.client)
        } catch let error as ProxyClientError where error.isNotSent {
            guard let other = enterServingProxy(excluding: chosen) else { throw error }
            defer { other.leave() }
            logger.debug("v\(chosen.id) unreachable; sent to v\(other.id) instead")
            return try await call(other.client)
        }
    }

    /// Picks a serving version and marks a call in flight on it, under the same lock that
    /// takes versions out of the routing — so a drain never misses a call.
    private func enterServingProxy(excluding excluded: ServingProxy? = nil) -> ServingProxy? {
        record.withLock { record in
            guard let chosen = record.rollout.serving.filter({ $0 !== excluded }).randomElement() else { return nil }
            chosen.enter()
            return chosen
        }
    }
}
