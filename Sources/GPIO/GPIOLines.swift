internal import Glibc
internal import CPinholeGPIO

/// A requested input line whose edges wake a poll(2) on `fd`.
final class InputLine {
    let spec: LineSpec
    private let handle: OpaquePointer
    let fd: Int32
    let kernelDebounce: Bool

    init(_ spec: LineSpec, consumer: String) throws(GPIOError) {
        let (path, offset) = try GPIOChipInfo.resolve(spec)
        var kernel: Int32 = 0
        guard let handle = pinhole_gpio_request_input(path, offset, consumer, spec.bias.rawValue,
                                                      UInt32(spec.debounceMilliseconds * 1_000), &kernel) else {
            throw .request("requesting \(spec) as an input", errno: errno)
        }
        self.spec = spec
        self.handle = handle
        fd = pinhole_gpio_line_fd(handle)
        kernelDebounce = kernel != 0
    }

    deinit { pinhole_gpio_release(handle) }

    /// The physical level now.
    func level() throws(GPIOError) -> Bool {
        let value = pinhole_gpio_get(handle)
        guard value >= 0 else { throw .request("reading \(spec)", errno: errno) }
        return value == 1
    }

    /// One pending edge: the level after it and its kernel timestamp (monotonic ns).
    func readEdge() throws(GPIOError) -> (level: Bool, timestamp: UInt64) {
        var rising: Int32 = 0, timestamp: UInt64 = 0
        guard pinhole_gpio_read_edge(handle, &rising, &timestamp) == 0 else { throw .request("reading events of \(spec)", errno: errno) }
        return (rising != 0, timestamp)
    }
}

/// A requested output line (an LED); `set` with the logical level, active-low applied.
final class OutputLine {
    let spec: LineSpec
    private let handle: OpaquePointer
    private var current: Bool

    init(_ spec: LineSpec, consumer: String, on: Bool) throws(GPIOError) {
        let (path, offset) = try GPIOChipInfo.resolve(spec)
        guard let handle = pinhole_gpio_request_output(path, offset, consumer, on != spec.activeLow ? 1 : 0) else {
            throw .request("requesting \(spec) as an output", errno: errno)
        }
        self.spec = spec
        self.handle = handle
        current = on
    }

    deinit { pinhole_gpio_release(handle) }

    func set(_ on: Bool) throws(GPIOError) {
        guard on != current else { return }
        guard pinhole_gpio_set(handle, on != spec.activeLow ? 1 : 0) == 0 else { throw .request("setting \(spec)", errno: errno) }
        current = on
    }
}
