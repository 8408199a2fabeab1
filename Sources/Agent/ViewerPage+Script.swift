extension ViewerPage {
    /// The page's program. `window.pinhole` holds its state for people and tests to read.
    static let script = #"""
    "use strict";
    const $ = (id) => document.getElementById(id);
    const video = $("video");
    const pinhole = window.pinhole = {state: "starting", paused: false, times: {}, log: [], stats: {}, sessionURL: null,
                                      reconnects: 0, iceRestarts: 0, restartIce, connect: start, hangUp};
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const backoff = [250, 500, 1000, 2000];  // then every 2 s: a restarted agent is found within 2 s
    let pc = null, iceServers = [], wanted = true, attempt = 0, recovering = false, events = null, disconnected = null;
    // A token-protected agent is opened as http://host:8080/#token=SECRET; it is kept for next time.
    const token = new URLSearchParams(location.hash.slice(1)).get("token") || localStorage.getItem("pinholeToken") || "";
    if (token) localStorage.setItem("pinholeToken", token);

    function api(url, options = {}) {
      const headers = Object.assign({}, options.headers, token ? {Authorization: `Bearer ${token}`} : {});
      return fetch(url, Object.assign({}, options, {headers}));
    }

    function log(text) {
      const since = pinhole.times.offerStart ? `+${(performance.now() - pinhole.times.offerStart).toFixed(0).padStart(5)} ms` : "";
      const line = `${new Date().toTimeString().slice(0, 8)} ${since.padStart(10)}  ${text}`;
      pinhole.log.push(line);
      $("log").textContent += line + "\n";
      $("log").scrollTop = $("log").scrollHeight;
    }

    /// The id in this page's session URL, as /api/status and /api/events name viewers.
    const sessionID = () => (pinhole.sessionURL || "").split("/").pop();

    function setState(state) {
      pinhole.state = state;
      $("state").textContent = state;
      $("state").className = "pill " + state;
    }

    function setPaused(paused, by) {
      pinhole.paused = paused;
      $("paused").hidden = !paused;
      const who = {api: "through the API", button: "with the camera's button", agent: "by the agent", page: "from this page"}[by] || "";
      $("pausedWhy").textContent = paused ? `Streaming was stopped${who ? " " + who : ""} at ${new Date().toTimeString().slice(0, 8)}. ` +
        "Start streaming here or press the button; this page resumes by itself." : "";
      $("stream").textContent = paused ? "Start streaming" : "Stop streaming";
      if (pc && pc.connectionState === "connected") setState(paused ? "paused" : "live");
    }

    /// One WHEP session (draft-ietf-wish-whep §4.2): "ok", "retry" (agent unreachable or full) or "fatal".
    async function connect() {
      closePeer();
      const times = pinhole.times = window.pinholeTimes = {offerStart: performance.now()};
      setState("connecting");
      const peer = pc = window.pc = new RTCPeerConnection({bundlePolicy: "max-bundle", iceServers});
      peer.addTransceiver("video", {direction: "recvonly"});
      peer.addTransceiver("audio", {direction: "recvonly"});
      const stream = new MediaStream();
      peer.ontrack = (e) => { stream.addTrack(e.track); video.srcObject = stream; };
      peer.oniceconnectionstatechange = () => onICE(peer);
      peer.onconnectionstatechange = () => onConnection(peer);
      const offer = await peer.createOffer();
      await peer.setLocalDescription(offer);
      log("offer created");
      $("offerSDP").textContent = offer.sdp;
      times.post = performance.now();
      let response;
      try {
        response = await api("/whep", {method: "POST", headers: {"Content-Type": "application/sdp"}, body: offer.sdp});
      } catch (error) {
        log(`agent unreachable (${error.message})`);
        return "retry";
      }
      if (response.status === 401) {
        log("this agent needs a token: open it as /#token=YOUR-TOKEN");
        setState("failed");
        return "fatal";
      }
      if (!response.ok) {
        const detail = await response.text();
        log(`WHEP POST answered ${response.status}: ${detail}`);
        if (response.status === 503) return "retry";
        setState("failed");
        return "fatal";
      }
      pinhole.sessionURL = response.headers.get("Location");
      pinhole.etag = response.headers.get("ETag");
      const servers = parseICEServers(response.headers.get("Link"));
      if (servers.length) {
        iceServers = servers;
        log(`ICE servers from the agent (kept for reconnecting): ${servers.map((s) => s.urls).join(", ")}`);
      }
      const answer = await response.text();
      times.answered = performance.now();
      log(`answer received: ${response.status} after ${(times.answered - times.post).toFixed(0)} ms, session ${pinhole.sessionURL}`);
      $("answerSDP").textContent = answer;
      await peer.setRemoteDescription({type: "answer", sdp: answer});
      watchDTLS(peer);
      awaitFirstFrame(peer);
      play();
      refreshStatus();
      return "ok";
    }

    function closePeer() {
      clearTimeout(disconnected);
      if (pc) pc.close();
      pc = window.pc = null;
    }

    function onICE(peer) {
      if (peer !== pc) return;
      const state = peer.iceConnectionState;
      log(`ICE ${state}`);
      pinhole.times["ice_" + state] = pinhole.times["ice_" + state] || performance.now();
      if (state === "connected") pinhole.times.iceConnected = pinhole.times.iceConnected || performance.now();
      clearTimeout(disconnected);
      // A path that stays broken for 2 s gets new credentials; a failed one at once.
      if (state === "disconnected") disconnected = setTimeout(restartIce, 2000);
      if (state === "failed") restartIce();
    }

    function onConnection(peer) {
      if (peer !== pc) return;
      if (peer.reportDTLS) peer.reportDTLS();
      log(`connection ${peer.connectionState}`);
      if (peer.connectionState === "connected") setState(pinhole.paused ? "paused" : "live");
      if (peer.connectionState === "failed") scheduleRecovery("connection failed");
    }

    /// Logs each DTLS state once. The handshake can finish before this is attached, so the state
    /// is also read now and again when the connection's state changes.
    function watchDTLS(peer) {
      const transport = peer.getReceivers()[0] && peer.getReceivers()[0].transport;
      let last = "new";
      peer.reportDTLS = () => {
        if (peer !== pc || !transport || transport.state === last) return;
        last = transport.state;
        log(`DTLS ${last}`);
        if (last === "connected") pinhole.times.dtlsConnected = performance.now();
      };
      if (transport) transport.addEventListener("statechange", peer.reportDTLS);
      peer.reportDTLS();
    }

    function awaitFirstFrame(peer) {
      const onFrame = () => {
        if (peer !== pc) return;
        const times = pinhole.times;
        times.firstFrame = performance.now();
        attempt = 0;
        log(`first frame decoded (${video.videoWidth}x${video.videoHeight})`);
        log(`setup time: ${(times.firstFrame - times.offerStart).toFixed(0)} ms from creating the offer, ` +
            `${(times.firstFrame - times.post).toFixed(0)} ms from the POST`);
      };
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
      else video.addEventListener("playing", onFrame, {once: true});
    }

    function play() {
      video.muted = false;
      video.play().catch(() => {
        // Autoplay rules allow sound only after a tap: play muted until then.
        video.muted = true;
        video.play().catch(() => {});
        $("unmute").hidden = false;
        log("autoplay with sound blocked: playing muted, tap to unmute");
      });
    }

    /// `Link: <URL>; rel="ice-server"; username="u"; credential="c"` (RFC 9725 §4.6).
    function parseICEServers(header) {
      if (!header) return [];
      const servers = [];
      for (const match of header.matchAll(/<([^>]+)>([^<]*)/g)) {
        const params = Object.fromEntries([...match[2].matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (params.rel !== "ice-server") continue;
        const server = {urls: match[1]};
        if (params.username) Object.assign(server, {username: params.username, credential: params.credential});
        servers.push(server);
      }
      return servers;
    }

    /// ICE restart by PATCH with If-Match: * (draft-ietf-wish-whep §4.3, RFC 8840): new
    /// credentials both ways, DTLS and media go on.
    async function restartIce() {
      const peer = pc;
      if (!peer || !pinhole.sessionURL) return;
      log("ICE restart: PATCH with If-Match: *");
      try {
        const offer = await peer.createOffer({iceRestart: true});
        await peer.setLocalDescription(offer);
        const response = await api(pinhole.sessionURL, {method: "PATCH", body: restartFragment(offer.sdp),
          headers: {"Content-Type": "application/trickle-ice-sdpfrag", "If-Match": "*"}});
        if (response.status !== 200) throw new Error(`PATCH answered ${response.status}`);
        pinhole.etag = response.headers.get("ETag");
        const fragment = await response.text();
        const ufrag = fragment.match(/a=ice-ufrag:(\S+)/)[1], pwd = fragment.match(/a=ice-pwd:(\S+)/)[1];
        const answer = peer.remoteDescription.sdp.replace(/a=ice-ufrag:\S+/g, "a=ice-ufrag:" + ufrag).replace(/a=ice-pwd:\S+/g, "a=ice-pwd:" + pwd);
        await peer.setRemoteDescription({type: "answer", sdp: answer});
        pinhole.iceRestarts++;
        log(`ICE restart answered (200, new ETag ${pinhole.etag})`);
      } catch (error) {
        if (peer === pc) scheduleRecovery(`ICE restart failed (${error.message})`);
      }
    }

    function restartFragment(sdp) {
      const lines = sdp.split("\r\n");
      const first = (prefix) => lines.find((line) => line.startsWith(prefix));
      return [first("a=ice-ufrag:"), first("a=ice-pwd:"), first("m="), first("a=mid:"), ""].join("\r\n");
    }

    function scheduleRecovery(reason) {
      if (!wanted || recovering) return;
      recovering = true;
      setState("reconnecting");
      log(`${reason}: reconnecting`);
      recover().finally(() => { recovering = false; });
    }

    /// Backs off while the agent is unreachable; keeps a session that survived, else makes a new one.
    async function recover() {
      while (wanted) {
        await sleep(backoff[Math.min(attempt, backoff.length - 1)]);
        attempt++;
        let status;
        try {
          const response = await api("/api/status");
          status = response.ok ? await response.json() : {viewers: []};
        } catch (error) {
          log(`attempt ${attempt}: agent unreachable`);
          continue;
        }
        if (pc && pc.connectionState === "connected" && status.viewers.some((v) => v.id === sessionID())) {
          log("agent reachable and this session alive");
          setState(pinhole.paused ? "paused" : "live");
        } else {
          pinhole.reconnects++;
          const result = await connect();
          if (result === "retry") continue;
          if (result === "fatal") return;
        }
        followEvents();
        return;
      }
    }

    /// `GET /api/events` read with fetch (EventSource cannot send the token). The stream ending
    /// means the agent went away, which is noticed long before ICE would.
    async function followEvents() {
      if (events) events.abort();
      const controller = events = new AbortController();
      try {
        const response = await api("/api/events", {signal: controller.signal});
        if (!response.ok) {
          log(`events: ${response.status}; the paused state follows the status only`);
          return;
        }
        const reader = response.body.getReader(), decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, {stream: true});
          for (let end; (end = buffer.indexOf("\n\n")) >= 0; buffer = buffer.slice(end + 2)) onEvent(buffer.slice(0, end));
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      if (controller === events && wanted) scheduleRecovery("event stream ended, the agent went away");
    }

    function onEvent(block) {
      const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5)).join("\n");
      if (!data) return;
      const event = JSON.parse(data);
      if (event.type === "streaming") {
        log(`agent: streaming ${event.state}${event.by ? " (" + event.by + ")" : ""}`);
        if ((event.state === "stopped") !== pinhole.paused) setPaused(event.state === "stopped", event.by);
      } else if (event.type === "viewer" && event.id === sessionID()) {
        log(`agent: this viewer ${event.state}${event.reason ? " (" + event.reason + ")" : ""}`);
        if (event.state === "left") scheduleRecovery("the agent ended this session");
      } else if (event.type === "device") {
        log(`agent: ${event.device} ${event.state} ${event.source || event.error || ""}`);
      } else if (event.type === "button") {
        log(`agent: button ${event.line} ${event.event}`);
      } else if (event.type === "audio") {
        log(`agent: microphone ${event.muted === "true" ? "muted" : "on"}`);
      }
    }

    async function refreshStatus() {
      try {
        const response = await api("/api/status");
        if (!response.ok) return;
        const status = await response.json();
        if (!status.streaming !== pinhole.paused) setPaused(!status.streaming, "");
        const source = status.video ? `${status.video.source} ${status.video.width}x${status.video.height} ` +
          `${status.video.measuredFPS.toFixed(0)} fps, ${status.video.bitrateKbps} kbit/s` : "no video";
        $("agent").textContent = `${source} · ${status.viewerCount} viewer${status.viewerCount === 1 ? "" : "s"} · ` +
          `up ${Math.floor(status.uptimeSeconds / 60)} min`;
      } catch (error) { /* the event stream notices an agent that went away */ }
    }

    let previous = null;
    async function showStats() {
      if (!pc) return;
      const report = await pc.getStats();
      let v = null, a = null, pair = null;
      report.forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") v = r;
        if (r.type === "inbound-rtp" && r.kind === "audio") a = r;
        if (r.type === "transport" && r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId);
      });
      if (!v) return;
      const bytes = v.bytesReceived + (a ? a.bytesReceived : 0);
      const kbps = previous ? 8 * (bytes - previous.bytes) / (v.timestamp - previous.time) : 0;
      previous = {bytes, time: v.timestamp};
      const stats = pinhole.stats = {
        width: v.frameWidth || 0, height: v.frameHeight || 0, fps: v.framesPerSecond || 0, kbps: Math.max(0, kbps),
        rttMs: pair && pair.currentRoundTripTime !== undefined ? 1000 * pair.currentRoundTripTime : null,
        lossPercent: 100 * (v.packetsLost || 0) / Math.max(1, (v.packetsLost || 0) + (v.packetsReceived || 0)),
        jitterBufferMs: v.jitterBufferEmittedCount ? 1000 * v.jitterBufferDelay / v.jitterBufferEmittedCount : null,
        framesDecoded: v.framesDecoded || 0, framesDropped: v.framesDropped || 0};
      $("overlay").textContent = $("statsToggle").dataset.hidden ? "" : [
        `${stats.width}x${stats.height}  ${stats.fps.toFixed(0)} fps  ${stats.kbps.toFixed(0)} kbit/s`,
        `RTT ${stats.rttMs === null ? "-" : stats.rttMs.toFixed(0) + " ms"}  loss ${stats.lossPercent.toFixed(1)} %`,
        `jitter buffer ${stats.jitterBufferMs === null ? "-" : stats.jitterBufferMs.toFixed(0) + " ms"}`,
        `${stats.framesDecoded} frames decoded, ${stats.framesDropped} dropped`].join("\n");
    }

    async function hangUp() {
      wanted = false;
      if (events) events.abort();
      if (pinhole.sessionURL) api(pinhole.sessionURL, {method: "DELETE"}).catch(() => {});
      closePeer();
      pinhole.sessionURL = null;
      $("overlay").textContent = "";
      setState("closed");
      log("hung up");
      $("connect").textContent = "Connect";
    }

    async function start() {
      wanted = true;
      attempt = 0;
      $("connect").textContent = "Hang up";
      const result = await connect();
      if (result === "ok") followEvents();
      if (result === "retry") scheduleRecovery("no session yet");
    }

    $("connect").onclick = () => (wanted ? hangUp() : start());
    $("stream").onclick = async () => {
      const response = await api(pinhole.paused ? "/api/stream/start" : "/api/stream/stop", {method: "POST"});
      if (response.ok) setPaused(!(await response.json()).streaming, "page");
    };
    $("unmute").onclick = () => { video.muted = false; $("unmute").hidden = true; };
    $("sdpToggle").onclick = () => {
      $("sdp").hidden = !$("sdp").hidden;
      $("sdpToggle").textContent = $("sdp").hidden ? "Show SDP" : "Hide SDP";
    };
    $("statsToggle").onclick = () => {
      const button = $("statsToggle");
      if (button.dataset.hidden) delete button.dataset.hidden; else button.dataset.hidden = "1";
      button.textContent = button.dataset.hidden ? "Show stats" : "Hide stats";
      showStats();
    };
    window.addEventListener("online", () => scheduleRecovery("network back"));
    setInterval(showStats, 1000);
    setInterval(refreshStatus, 5000);
    start().catch((error) => log(`error: ${error}`));
    """#
}
