// libFuzzer entry point for the trickle-ICE fragment (WHEP PATCH) target; see Tests/Fuzz/README.md.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = FuzzCheck.sdpfrag(bytes) { fatalError(failure) }
    return 0
}
