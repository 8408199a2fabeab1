#!/usr/bin/env bash
# Builds one libFuzzer target per network parser (swiftc -sanitize=fuzzer,address, the module's
# own sources compiled together with Tests/WireFormatTests/FuzzChecks) and runs each for
# FUZZ_SECONDS. Crashes, leaks and timeouts land in Tests/Fuzz/Regressions/<target>/, which
# `swift test` replays; commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"stun:STUN rtp:RTP rtcp:RTCP sdp:SDP demux:Demux sdpfrag:SDP"}
mkdir -p .build/fuzz
status=0
for pair in $targets; do
    name=${pair%%:*} module=${pair#*:}
    flag=$(echo "$name" | tr '[:lower:]' '[:upper:]')
    binary=.build/fuzz/$name
    swiftc -sanitize=fuzzer,address -parse-as-library -O -D FUZZING -D "FUZZ_$flag" -module-name "Fuzz$module" \
        Sources/"$module"/*.swift Tests/WireFormatTests/FuzzChecks/FuzzChecks.swift Tests/Fuzz/Entry/"$name".swift \
        -o "$binary" 2> >(grep -v "Cannot export local symbol" >&2)
    work=.build/fuzz/corpus-$name
    mkdir -p "$work" Tests/Fuzz/Regressions/"$name"
    log=.build/fuzz/$name.log
    echo "fuzzing $name for ${seconds}s"
    if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix=Tests/Fuzz/Regressions/"$name"/ "$work" Tests/Fuzz/Corpus/"$name" > "$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
        echo "  $name: $runs executions, no crash, leak or timeout"
    else
        echo "  $name: FAILED, see $log and Tests/Fuzz/Regressions/$name/"
        tail -30 "$log"
        status=1
    fi
done
exit $status
