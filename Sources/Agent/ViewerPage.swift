/// `GET /`: a self-contained viewer (no external assets, works offline on a LAN). It connects by
/// itself over WHEP, plays video with sound, logs each step of the session with its time like the
/// classic WebRTC sample pages, shows the SDP and live statistics, follows `/api/events` to show
/// when streaming is paused, restarts ICE by PATCH when the path breaks, and reconnects with
/// backoff when the agent goes away.
enum ViewerPage {
    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
    <title>Pinhole</title>
    <style>\(style)</style></head>
    <body><main>
    <header><h1>Pinhole</h1><span id="state" class="pill">starting</span><span id="agent"></span></header>
    <div id="stage">
      <video id="video" autoplay playsinline></video>
      <pre id="overlay"></pre>
      <div id="paused" hidden><div class="big">Paused</div><div id="pausedWhy"></div></div>
      <button id="unmute" hidden>Tap to unmute</button>
    </div>
    <nav><button id="connect">Hang up</button><button id="stream">Stop streaming</button>
    <button id="sdpToggle">Show SDP</button><button id="statsToggle">Hide stats</button></nav>
    <section id="sdp" hidden><div><h2>Offer</h2><pre id="offerSDP"></pre></div><div><h2>Answer</h2><pre id="answerSDP"></pre></div></section>
    <h2>Connection log</h2>
    <pre id="log"></pre>
    </main>
    <script>\(script)</script></body></html>
    """

    static let style = """
    body{margin:0;font:14px system-ui,sans-serif;background:#121417;color:#dde1e6}
    main{max-width:980px;margin:auto;padding:10px 14px}
    header{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
    h1{font-size:20px;margin:6px 0}h2{font-size:14px;margin:12px 0 4px;color:#9aa4ae}
    .pill{padding:2px 10px;border-radius:10px;background:#3a3f45;font-weight:600}
    .live{background:#1f7a3d}.paused{background:#8a6d00}.reconnecting,.connecting{background:#2d5b8a}.failed,.closed{background:#8a2d2d}
    #agent{color:#9aa4ae;font-size:12px}
    #stage{position:relative;background:#000;border-radius:6px;overflow:hidden}
    video{display:block;width:100%;aspect-ratio:4/3;background:#000}
    #overlay{position:absolute;top:8px;right:8px;margin:0;padding:6px 8px;background:#000a;border-radius:4px;font:12px ui-monospace,monospace;color:#cfe}
    #overlay:empty{display:none}
    #paused{position:absolute;inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;background:#000b;text-align:center}
    #paused[hidden]{display:none}
    .big{font-size:40px;font-weight:700;letter-spacing:2px}#pausedWhy{max-width:70%;margin-top:8px;color:#ccc}
    #unmute{position:absolute;right:12px;bottom:12px;font-size:16px}
    nav button,#unmute{font:inherit;padding:7px 16px;margin:8px 8px 0 0;border:0;border-radius:5px;background:#2f353c;color:#eee;cursor:pointer}
    nav button:hover{background:#3d454e}
    #sdp{display:grid;grid-template-columns:1fr 1fr;gap:10px}#sdp[hidden]{display:none}
    #sdp pre,#log{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;background:#0b0c0e;padding:8px;margin:0;border-radius:4px;max-height:18em;overflow:auto}
    """
}
