internal import Glibc
internal import CALSA
internal import CPinholeShims
public import Media

/// An ALSA capture PCM read as S16_LE at 48 kHz, mono or stereo as the device allows, in
/// 10 ms periods. An overrun (xrun) is recovered with snd_pcm_recover and counted; any other
/// error is thrown, and the pipeline reopens the device a second later.
public final class ALSAMicrophone: AudioSource {
    public let channels: Int
    public let description: String
    public private(set) var overruns = 0
    private let pcm: OpaquePointer
    private let name: String
    private var buffer: [Int16] = []

    public init(device name: String) throws(CaptureError) {
        pinhole_snd_lib_error_silence()
        var handle: OpaquePointer?
        let opened = snd_pcm_open(&handle, name, SND_PCM_STREAM_CAPTURE, 0)
        guard opened == 0, let pcm = handle else { throw .alsa(call: "snd_pcm_open", device: name, code: opened) }
        self.pcm = pcm
        self.name = name
        do {
            channels = try Self.configure(pcm, name: name)
        } catch {
            snd_pcm_close(pcm)
            throw error
        }
        description = "ALSA \(name) S16_LE 48000 Hz \(channels == 1 ? "mono" : "stereo")"
        snd_pcm_start(pcm)
    }

    deinit { snd_pcm_close(pcm) }

    static func configure(_ pcm: OpaquePointer, name: String) throws(CaptureError) -> Int {
        var hw: OpaquePointer?
        snd_pcm_hw_params_malloc(&hw)
        defer { snd_pcm_hw_params_free(hw) }
        func check(_ code: Int32, _ call: String) throws(CaptureError) {
            if code < 0 { throw .alsa(call: call, device: name, code: code) }
        }
        try check(snd_pcm_hw_params_any(pcm, hw), "snd_pcm_hw_params_any")
        try check(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED), "set_access")
        try check(snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE), "set_format S16_LE")
        // Mono if the device can, else stereo (Opus carries either).
        var channels: UInt32 = 1
        if snd_pcm_hw_params_test_channels(pcm, hw, 1) != 0 { channels = 2 }
        try check(snd_pcm_hw_params_set_channels(pcm, hw, channels), "set_channels \(channels)")
        // ALSA's plug layer resamples when the hardware cannot do 48 kHz.
        snd_pcm_hw_params_set_rate_resample(pcm, hw, 1)
        try check(snd_pcm_hw_params_set_rate(pcm, hw, 48_000, 0), "set_rate 48000 (try plughw:)")
        var period: snd_pcm_uframes_t = 480
        var direction: Int32 = 0
        try check(snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &direction), "set_period_size")
        var size: snd_pcm_uframes_t = 480 * 8
        try check(snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &size), "set_buffer_size")
        try check(snd_pcm_hw_params(pcm, hw), "snd_pcm_hw_params")
        return Int(channels)
    }

    public func nextChunk(frameSize: Int) throws -> CapturedAudio {
        if buffer.count != frameSize * channels { buffer = [Int16](repeating: 0, count: frameSize * channels) }
        var filled = 0
        while filled < frameSize {
            let read = buffer.withUnsafeMutableBufferPointer { p in
                snd_pcm_readi(pcm, p.baseAddress! + filled * channels, snd_pcm_uframes_t(frameSize - filled))
            }
            if read >= 0 {
                filled += Int(read)
            } else if read == -Int(EPIPE) || read == -Int(ESTRPIPE) || read == -Int(EINTR) {
                if read == -Int(EPIPE) { overruns += 1 }
                let recovered = snd_pcm_recover(pcm, Int32(read), 1)
                if recovered < 0 { throw CaptureError.alsa(call: "snd_pcm_recover", device: name, code: recovered) }
                snd_pcm_start(pcm)
            } else {
                throw CaptureError.alsa(call: "snd_pcm_readi", device: name, code: Int32(read))
            }
        }
        // The chunk's last sample was captured about now; its first one frameSize samples ago.
        let now = MediaClock.monotonicNanoseconds()
        let start = now - UInt64(frameSize) * 1_000_000_000 / 48_000
        return CapturedAudio(samples: buffer, channels: channels, monotonicNanoseconds: start)
    }

    /// True when `name` opens as a capture PCM (used by `--audio auto`).
    public static func canOpen(_ name: String) -> Bool {
        pinhole_snd_lib_error_silence()
        var handle: OpaquePointer?
        guard snd_pcm_open(&handle, name, SND_PCM_STREAM_CAPTURE, Int32(SND_PCM_NONBLOCK)) == 0, let pcm = handle else { return false }
        snd_pcm_close(pcm)
        return true
    }
}
