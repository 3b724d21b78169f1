import Dispatch
import Foundation

/// Runs `handler` once on the first SIGINT or SIGTERM; a second signal exits at once.
final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []
    private var fired = false

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [unowned self] in
                if self.fired { exit(128 + sig) }
                self.fired = true
                handler(sig)
            }
            s.resume()
            sources.append(s)
        }
    }
}
