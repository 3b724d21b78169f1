import Synchronization

/// The `block_private_addresses` setting as the parts that make requests read it: one object shared by
/// the engine (which changes it when main.lua or the API does) and the plugin VM (which reads it per
/// request), so a change applies to the next request without restarting anything.
public final class AddressPolicy: Sendable {
    private let blocking: Atomic<Bool>

    public init(blocksPrivateAddresses: Bool = false) {
        blocking = Atomic(blocksPrivateAddresses)
    }

    public var blocksPrivateAddresses: Bool {
        get { blocking.load(ordering: .relaxed) }
        set { blocking.store(newValue, ordering: .relaxed) }
    }
}
