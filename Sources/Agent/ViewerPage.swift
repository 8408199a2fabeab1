/// `GET /`: a self-contained viewer that connects by itself over WHEP, plays video and audio,
/// and logs each step of the session with its time, like the classic WebRTC sample pages.
enum ViewerPage {
    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
    <title>Pinhole</title>
    <style>
    body{margin:0;font:14px system-ui,sans-serif;background:#111;color:#ddd}
    main{max-width:960px;margin:auto;padding:12px}
    video{width:100%;background:#000;aspect-ratio:4/3}
    button{font:inherit;padding:6px 14px;margin:6px 6px 6px 0}
    #log{font:12px ui-monospace,monospace;white-space:pre-wrap;background:#000;padding:8px;max-height:14em;overflow:auto}
    #state{font-weight:bold}
    </style></head>
    <body><main>
    <h1>Pinhole</h1>
    <video id="video" autoplay playsinline></video>
    <div><span id="state">connecting</span> · <span id="stats"></span></div>
    <button id="unmute" hidden>Unmute</button><button id="toggle">Stop streaming</button><button id="hangup">Hang up</button>
    <div id="log"></div>
    </main>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const t0 = performance.now();
    const times = window.pinholeTimes = {};
    function log(text) { $("log").textContent += `${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${text}\\n`; }
    let pc, sessionURL;
    // A token-protected agent is opened as http://host:8080/#token=SECRET; it is kept for next time.
    const token = new URLSearchParams(location.hash.slice(1)).get("token") || localStorage.getItem("pinholeToken") || "";
    if (token) localStorage.setItem("pinholeToken", token);
    function api(url, options = {}) {
      const headers = Object.assign({}, options.headers, token ? {Authorization: `Bearer ${token}`} : {});
      return fetch(url, Object.assign({}, options, {headers}));
    }

    async function connect() {
      pc = window.pc = new RTCPeerConnection({bundlePolicy: "max-bundle"});
      pc.addTransceiver("video", {direction: "recvonly"});
      pc.addTransceiver("audio", {direction: "recvonly"});
      const stream = new MediaStream();
      pc.ontrack = (e) => { stream.addTrack(e.track); $("video").srcObject = stream; log(`track ${e.track.kind}`); };
      pc.oniceconnectionstatechange = () => { log(`ICE ${pc.iceConnectionState}`); if (pc.iceConnectionState === "connected") times.iceConnected = performance.now() - t0; };
      pc.onconnectionstatechange = () => { $("state").textContent = pc.connectionState; log(`connection ${pc.connectionState}`); };
      times.offerStart = performance.now() - t0;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      log("offer created");
      const response = await api("/whep", {method: "POST", headers: {"Content-Type": "application/sdp"}, body: offer.sdp});
      if (response.status === 401) { log("this agent needs a token: open it as /#token=YOUR-TOKEN"); $("state").textContent = "token needed"; return; }
      if (!response.ok) { log(`WHEP POST failed: ${response.status} ${await response.text()}`); $("state").textContent = "failed"; return; }
      sessionURL = response.headers.get("Location");
      times.answered = performance.now() - t0;
      log(`answer received (${response.status}), session ${sessionURL}`);
      await pc.setRemoteDescription({type: "answer", sdp: await response.text()});
      const video = $("video");
      const onFrame = () => { times.firstFrame = performance.now() - t0; log(`first frame decoded: ${(times.firstFrame - times.offerStart).toFixed(0)} ms after creating the offer`); };
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame); else video.addEventListener("playing", onFrame, {once: true});
      video.play().catch(() => { video.muted = true; video.play(); $("unmute").hidden = false; log("autoplay with sound blocked: muted"); });
    }

    async function showStats() {
      if (!pc) return;
      let text = [];
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") text.push(`${r.frameWidth || 0}x${r.frameHeight || 0} ${Math.round(r.framesPerSecond || 0)} fps, ${r.framesDecoded} frames`);
        if (r.type === "inbound-rtp" && r.kind === "audio") text.push(`audio ${r.totalSamplesReceived || 0} samples`);
      });
      const status = await (await api("/api/status")).json().catch(() => null);
      if (status) { $("toggle").textContent = status.streaming ? "Stop streaming" : "Start streaming"; text.push(status.streaming ? "streaming" : "paused"); }
      $("stats").textContent = text.join(" · ");
    }

    $("unmute").onclick = () => { $("video").muted = false; $("unmute").hidden = true; };
    $("toggle").onclick = async () => { await api("/api/stream/toggle", {method: "POST"}); showStats(); };
    $("hangup").onclick = async () => { if (sessionURL) await api(sessionURL, {method: "DELETE"}); pc && pc.close(); log("hung up"); $("state").textContent = "closed"; };
    setInterval(showStats, 1000);
    connect().catch((e) => log(`error: ${e}`));
    </script></body></html>
    """
}
