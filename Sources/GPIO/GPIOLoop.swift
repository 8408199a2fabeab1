internal import Glibc
internal import CPinholeGPIO
internal import Synchronization
internal import Media

/// The controller's thread: owns the requested lines and the debouncers.
final class GPIOLoop {
    let controller: GPIOController
    var inputs: [(role: String, line: InputLine, button: Button)] = []
    var outputs: [(role: String, line: OutputLine)] = []
    var nextAttempt: UInt64 = 0
    var lastError: String?

    init(controller: GPIOController) { self.controller = controller }

    var now: UInt64 { MediaClock.monotonicNanoseconds() }

    func run() {
        controller.statusBox.withLock { $0.libgpiodAPI = Int(pinhole_gpio_api_major()) }
        while controller.running.load(ordering: .relaxed) {
            if inputs.isEmpty, outputs.isEmpty, now >= nextAttempt { open() }
            var fds = inputs.map { pollfd(fd: $0.line.fd, events: Int16(POLLIN), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), timeoutMilliseconds())
            do {
                for (index, fd) in fds.enumerated() where fd.revents != 0 { try readEdges(index, revents: fd.revents) }
                for index in inputs.indices { deliver(inputs[index].role, inputs[index].button.advance(to: now)) }
                try showLEDs()
            } catch {
                fail("\(error)")
            }
        }
        inputs = []
        outputs = []
    }

    func open() {
        let setup = controller.setup
        do {
            for (role, spec) in setup.buttons.sorted(by: { $0.key < $1.key }) {
                let line = try InputLine(spec, consumer: "pinhole \(role)")
                let button = Button(debounce: UInt64(spec.debounceMilliseconds) * 1_000_000, longPress: setup.longPress[role],
                                    activeLow: spec.activeLow, level: try line.level())
                inputs.append((role, line, button))
            }
            for (role, spec) in setup.leds.sorted(by: { $0.key < $1.key }) {
                outputs.append((role, try OutputLine(spec, consumer: "pinhole \(role)", on: controller.ledMode(role).level(at: now))))
            }
            let kernel = inputs.contains { $0.line.kernelDebounce }
            controller.statusBox.withLock {
                $0.state = "ready"
                $0.error = nil
                $0.kernelDebounce = kernel
            }
            lastError = nil
            controller.log("GPIO ready: " + (inputs.map { "\($0.role) \($0.line.spec)" } + outputs.map { "\($0.role) \($0.line.spec)" })
                .joined(separator: ", ") + (kernel ? " (kernel debounce)" : " (software debounce)"))
        } catch {
            fail("\(error)")
        }
    }

    /// Releases every line and tries again later; logs a reason once until it changes.
    func fail(_ reason: String) {
        inputs = []
        outputs = []
        nextAttempt = now + GPIOController.retryInterval
        controller.statusBox.withLock {
            $0.state = "retrying"
            $0.error = reason
        }
        if reason != lastError { controller.log("GPIO unavailable, retrying every 5 s: \(reason)") }
        lastError = reason
    }

    func timeoutMilliseconds() -> Int32 {
        var wake = now + GPIOController.ledTick
        if inputs.isEmpty, outputs.isEmpty { wake = min(wake, nextAttempt) }
        for input in inputs { if let deadline = input.button.nextDeadline { wake = min(wake, deadline) } }
        let current = now
        return wake > current ? Int32((wake - current + 999_999) / 1_000_000) : 0
    }

    func readEdges(_ index: Int, revents: Int16) throws(GPIOError) {
        guard revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 else {
            throw .request("\(inputs[index].line.spec) went away", errno: ENODEV)
        }
        let edge = try inputs[index].line.readEdge()
        controller.statusBox.withLock { $0.edges[inputs[index].role, default: 0] += 1 }
        let current = now
        // Kernel timestamps are CLOCK_MONOTONIC on current kernels; anything else, use our own.
        let at = edge.timestamp <= current && current - edge.timestamp < 1_000_000_000 ? edge.timestamp : current
        deliver(inputs[index].role, inputs[index].button.edge(level: edge.level, at: at))
    }

    func deliver(_ role: String, _ events: [Button.Event]) {
        for event in events {
            controller.statusBox.withLock {
                if event == .pressed { $0.presses[role, default: 0] += 1 }
                if event == .longPress { $0.longPresses[role, default: 0] += 1 }
            }
            controller.onEvent(role, event)
        }
    }

    func showLEDs() throws(GPIOError) {
        let current = now
        for output in outputs { try output.line.set(controller.ledMode(output.role).level(at: current)) }
    }
}
