internal import Synchronization
internal import ServiceLifecycle
internal import FoundationEssentials
internal import Media

/// State changes for `GET /api/events`, as server-sent events (HTML Living Standard §9.2,
/// "Server-sent events"): streaming started or stopped, viewers joining and leaving, buttons,
/// devices opened, lost and closed, the microphone muted. A slow reader loses its oldest
/// events rather than holding anything up.
final class EventBus: Sendable {
    struct Event: Sendable {
        var type: String
        var fields: [String: String]
        var time: Double
    }

    private let subscribers = Mutex<[Int: AsyncStream<Event>.Continuation]>([:])
    private let nextID = Atomic(0)
    /// Sees every event as it is published (the metrics count them).
    private let observe: @Sendable (Event) -> Void

    init(observe: @escaping @Sendable (Event) -> Void = { _ in }) { self.observe = observe }

    func publish(_ type: String, _ fields: [String: String] = [:]) {
        let event = Event(type: type, fields: fields, time: Double(MediaClock.wallClockNanoseconds() / 1_000_000) / 1e3)
        observe(event)
        subscribers.withLock { for continuation in $0.values { continuation.yield(event) } }
    }

    /// A keep-alive for every reader; not an event, so observers do not see it.
    func keepAlive() {
        let ping = Event(type: "", fields: [:], time: 0)
        subscribers.withLock { for continuation in $0.values { continuation.yield(ping) } }
    }

    func subscribe() -> (id: Int, events: AsyncStream<Event>) {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        subscribers.withLock { $0[id] = continuation }
        return (id, stream)
    }

    func unsubscribe(_ id: Int) {
        subscribers.withLock { $0.removeValue(forKey: id) }?.finish()
    }

    /// Ends every stream, so that open `/api/events` requests do not hold up shutdown.
    func finishAll() {
        subscribers.withLock { all in
            for continuation in all.values { continuation.finish() }
            all.removeAll()
        }
    }

    /// One event in the wire format: `event:` and a JSON `data:` line (type, time in Unix
    /// seconds, the fields), then a blank line. The empty type is a keep-alive comment.
    static func serialize(_ event: Event) -> String {
        guard !event.type.isEmpty else { return ": keep-alive\n\n" }
        let members = ["\"type\":\(quote(event.type))", "\"time\":\(event.time)"]
            + event.fields.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }
        return "event: \(event.type)\ndata: {\(members.joined(separator: ","))}\n\n"
    }

    private static func quote(_ text: String) -> String {
        (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

/// A comment line every 15 s keeps proxies from closing an idle stream and shows a reader that
/// went away; shutdown ends every stream.
struct EventsService: Service {
    let bus: EventBus

    func run() async throws {
        await withGracefulShutdownHandler {
            // Shutdown cancels the sleep, so it does not wait out the interval.
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(15)) } catch { return }
                    bus.keepAlive()
                }
            }
        } onGracefulShutdown: {
            bus.finishAll()
        }
    }
}
