// The lab's page: polls /api/state, draws it, and sends the controls' settings and steps to the server.
"use strict";
(function () {
  const POLL_RUNNING_MS = 66;        // about 15 states a second while training runs
  const POLL_PAUSED_MS = 500;
  const $ = (id) => document.getElementById(id);
  const lab = {
    state: null, real: null, dataVersion: null, lang: "en", selected: null, drawing: false, drawn: [],
    show: { heatmap: true, manifold: true, real: true, fake: true, arrows: true }, frame: null, inside: null,
    dirty: false,
  };
  // what the browser test and benchmarks/lab_speed.py read: redraws with a new state, polls, since t0
  window.labStats = { t0: performance.now(), frames: 0, polls: 0, lastPollMs: 0, renderMs: 0 };

  // -- words ---------------------------------------------------------------------------------------
  const LANGS = { en: 0, ko: 1 };     // the place of each language in LAB_TEXT's pairs
  const T = (key) => { const pair = LAB_TEXT[key]; return pair ? pair[LANGS[lab.lang]] || pair[0] || key : key; };
  const fill = (key, values) => T(key).replace(/\{(\w+)\}/g, (_, k) => values[k]);
  function applyLanguage(lang) {
    lab.lang = lang === "ko" ? "ko" : "en";
    document.documentElement.lang = lab.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = T(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = T(el.dataset.i18nTitle); });
    $("lang-en").classList.toggle("active", lab.lang === "en");
    $("lang-ko").classList.toggle("active", lab.lang === "ko");
    if (lab.state) render(lab.state, true);
    if (lab.inside) showInside(lab.inside);
  }

  // -- the server ------------------------------------------------------------------------------------
  // every request asks for the compact state (arrays packed as float32 bytes, minigan/lab/wire.py)
  async function api(path, body) {
    const options = body === undefined ? {} :
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const response = await fetch(path + (path.includes("?") ? "&" : "?") + "compact=1", options);
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || String(response.status));
    return unpack(data);
  }
  // {"f32": base64, "shape": [n] or [n, m]} back to lists (NaN as null), everywhere in a state
  function unpack(v) {
    if (Array.isArray(v)) return v.map(unpack);
    if (!v || typeof v !== "object") return v;
    if (typeof v.f32 === "string" && Array.isArray(v.shape)) {
      const bytes = Uint8Array.from(atob(v.f32), (c) => c.charCodeAt(0));
      const flat = Array.from(new Float32Array(bytes.buffer), (x) => (Number.isNaN(x) ? null : x));
      if (v.shape.length < 2) return flat;
      const m = v.shape[1], rows = [];
      for (let i = 0; i < v.shape[0]; i++) rows.push(flat.slice(i * m, (i + 1) * m));
      return rows;
    }
    const out = {};
    for (const key of Object.keys(v)) out[key] = unpack(v[key]);
    return out;
  }
  function notify(text, isError) {
    const el = $("notice");
    el.textContent = text; el.hidden = !text; el.classList.toggle("error", !!isError);
  }
  async function send(path, body) {
    try { accept(await api(path, body)); } catch (e) { notify(`${T("error")}: ${e.message}`, true); }
  }
  function accept(s) {
    if (s.real) { lab.real = s.real; lab.dataVersion = s.data_version; }
    if (s.data_version !== lab.dataVersion) lab.dataVersion = null;   // ask for the new real samples
    lab.state = s; lab.dirty = true;
    requestAnimationFrame(() => {
      if (!lab.dirty) return;
      const started = performance.now();
      lab.dirty = false; render(s);
      window.labStats.frames++; window.labStats.renderMs += performance.now() - started;
    });
  }
  async function poll() {
    const started = performance.now();
    try {
      const query = lab.dataVersion === null ? "" : `?data_version=${lab.dataVersion}`;
      accept(await api("/api/state" + query));
      window.labStats.polls++;
    } catch (e) { notify(`${T("error")}: ${e.message}`, true); }
    window.labStats.lastPollMs = performance.now() - started;
    const period = lab.state && lab.state.running ? POLL_RUNNING_MS : POLL_PAUSED_MS;
    setTimeout(poll, Math.max(0, period - (performance.now() - started)));
  }

  // -- drawing the state -------------------------------------------------------------------------------
  function render(s, force) {
    setText($("iteration"), s.iteration);
    setText($("d-steps"), s.d_steps); setText($("g-steps"), s.g_steps);
    setText($("rate"), s.running && s.iterations_per_second ? `${Math.round(s.iterations_per_second)} ${T("per_second")}` : "");
    const play = $("play");
    setText(play, s.running ? T("pause") : T("play"));
    play.classList.toggle("running", s.running);
    ["play", "step-d", "step-g", "step-both"].forEach((id) => { $(id).disabled = !!s.diverged; });
    syncControls(s.config, force);
    const canvas = $("plot"), extra = { selected: lab.selected, drawn: lab.drawing ? lab.drawn : [] };
    lab.frame = s.view.dim === 1 ? LabDraw.plot1d(canvas, s, lab.real, lab.show, extra, T)
                                 : LabDraw.plot2d(canvas, s, lab.real, lab.show, extra);
    setText($("view-help"), s.view.dim === 1 ? T("view_help_1d") : T("view_help") + (s.config.pack > 1 ? T("view_help_packed") : ""));
    renderQuality(s.quality || {});
    renderHealth(s);
    renderCurves(s.curves);
    if (s.notice && (force || s.notice.id !== lab.noticeId)) showNotice(s.notice);
  }
  function showNotice(n) {
    lab.noticeId = n.id;
    const fields = (n.fields || []).join(", ");
    if (n.kind === "reset") notify(fields ? fill("notice_reset", { fields }) : T("notice_reset_plain"));
    else if (n.kind === "applied") notify(fill("notice_applied", { fields }));
    else if (n.kind === "loaded") notify(fill("notice_loaded", { fields }));
    else if (n.kind === "error") notify(fill("notice_error", { message: n.message }), true);
  }
  function syncControls(config, force) {
    document.querySelectorAll("[data-field]").forEach((el) => {
      if (el === document.activeElement && !force) return;
      const value = String(config[el.dataset.field]);
      if (el.value !== value) el.value = value;
    });
    document.querySelector('[data-field="pack"]').disabled = !["ring", "grid"].includes(config.dataset);
    $("draw-box").hidden = config.dataset !== "drawn";
  }
  // set an element's HTML only when it changed (no layout and paint for the same words every frame)
  function setHtml(el, html) { if (el.dataset.shown !== html) { el.innerHTML = html; el.dataset.shown = html; } }
  function setText(el, text) { text = String(text); if (el.textContent !== text) el.textContent = text; }
  function row(label, value) { return `<span>${label}</span><b>${value}</b>`; }
  function renderQuality(q) {
    let html;
    if ("modes_captured" in q) {
      html = row(T("q_modes"), `${q.modes_captured} / ${q.num_modes}`) + row(T("q_hq"), `${(100 * q.high_quality).toFixed(1)} %`) +
             row(T("q_rkl"), q.reverse_kl === null || !isFinite(q.reverse_kl) ? "∞" : q.reverse_kl.toFixed(3));
    } else if ("w1" in q) {
      html = row(T("q_w1"), q.w1.toFixed(3)) + row(T("q_js"), q.js.toFixed(3));
    } else {
      setHtml($("quality"), `<p class="help">${T("q_none")}</p>`); return;
    }
    setHtml($("quality"), `<div class="numbers">${html}</div>`);
  }
  function renderHealth(s) {
    const el = $("health");
    const parts = [];
    if (s.diverged) parts.push(`<div class="sign diverged"><b>${T("diverged_title")}</b>${escapeHtml(lab.lang === "en" ? s.diverged.message : `${s.diverged.quantity} · ${T("iteration")} ${s.diverged.iteration}`)}<br>${T("diverged_reset")}</div>`);
    for (const h of s.health || []) {
      if (s.diverged && h.sign === "non_finite") continue;
      const words = lab.lang === "ko" ? T("sign_" + h.sign) : h.message;
      parts.push(`<div class="sign" data-sign="${h.sign}">${escapeHtml(words)}</div>`);
    }
    setHtml(el, parts.length ? parts.join("") : `<span class="healthy">✓ ${T("health_ok")}</span>`);
  }
  function renderCurves(c) {
    if (!c) return;
    const C = LabDraw.C;
    LabDraw.chart($("losses"), c.iteration, [{ values: c.d_loss, colour: C.d }, { values: c.g_loss, colour: C.fake }]);
    LabDraw.chart($("verdicts"), c.iteration, [
      { values: c.iteration.map(() => 0.5), colour: "#999", dash: [3, 3], width: 1 },
      { values: c.d_real, colour: C.real }, { values: c.d_fake, colour: C.fake }], [0, 1]);
  }
  const escapeHtml = (t) => String(t).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch]));

  // -- look inside -------------------------------------------------------------------------------------
  const SHOWN = 4;                    // numbers of a vector in the table (all that came, in its tooltip)
  const numbers = (v, n) => { const shown = v.values.slice(0, n || v.values.length);
    return `${shown.map((x) => x.toPrecision(3)).join(", ")}${v.size > shown.length ? `, … (${v.size})` : ""}`; };
  function showInside(r) {
    lab.inside = r;
    const head = `<div class="path">${T("inside_sample")} #${r.index}: ${T("inside_z")} = [${numbers(r.z)}] → ` +
      `${T("inside_x")} = [<b>${numbers(r.x)}</b>] → ${T("inside_d")} = <b>${r.d.toPrecision(4)}</b> → ` +
      `${T("inside_loss")} ${escapeHtml(r.loss_name)} = <b>${r.loss.toPrecision(4)}</b>` +
      (r.pack > 1 ? `<br><span class="help">${T("inside_pack_note")}</span>` : "") + "</div>";
    const rows = r.steps.map((s, i) => {
      const params = s.parameters ? Object.entries(s.parameters).map(([k, v]) => `${k}: ${v.norm.toPrecision(3)}`).join("<br>") : "";
      const src = r.sources[s.function];
      const layer = s.network === "loss" ? `${T("inside_loss")} ${r.loss_name}` :
        s.network === "pack" ? fill("inside_unpack", { pack: r.pack }) : s.layer;
      const net = s.network === "loss" ? T("net_loss") : s.network === "pack" ? T("net_pack") : s.network;
      return `<tr class="${s.network}" data-step="${i}"><td>${net}</td><td>${escapeHtml(layer)}</td>` +
        `<td class="num" title="${numbers(s.gradient)}">${T("inside_norm")} ${s.gradient.norm.toPrecision(3)}<br>[${numbers(s.gradient, SHOWN)}]</td>` +
        `<td class="num">${params}</td><td><code>${src.file}</code><br><code>${s.function}</code></td></tr>`;
    }).join("");
    $("inside-body").innerHTML = `${head}<div class="inside-grid"><table><thead><tr><th>${T("inside_net")}</th>` +
      `<th>${T("inside_layer")}</th><th>${T("inside_grad")}</th><th>${T("inside_params")}</th><th>${T("inside_by")}</th></tr>` +
      `</thead><tbody>${rows}</tbody></table><div id="source"></div></div>`;
    document.querySelectorAll("#inside-body tr[data-step]").forEach((tr) => tr.addEventListener("click", () => showSource(r, +tr.dataset.step)));
    showSource(r, lab.insideStep || 0);
  }
  function showSource(r, i) {
    lab.insideStep = i;
    const step = r.steps[Math.min(i, r.steps.length - 1)], src = r.sources[step.function];
    document.querySelectorAll("#inside-body tr[data-step]").forEach((tr) => tr.classList.toggle("selected", +tr.dataset.step === i));
    const chapter = src.chapter[lab.lang];
    const link = chapter && chapter.anchor !== null ? ` · <a href="/${chapter.page}" target="_blank">${T("inside_chapter")}: ${chapter.page}${chapter.anchor ? "#" + chapter.anchor : ""}</a>` : "";
    $("source").innerHTML = `<p class="source-head"><code>${src.file}:${src.line}</code> <code>${src.function}</code>${link}</p>` +
      `<pre class="source">${escapeHtml(src.source)}</pre>`;
  }
  async function inspect(index) {
    lab.selected = index;
    try { showInside(Object.assign(await api("/api/inspect", { index }), { index })); } catch (e) { notify(`${T("error")}: ${e.message}`, true); }
    if (lab.state) render(lab.state);
  }

  // -- the plot: click a fake sample, or draw points -----------------------------------------------------
  function canvasPoint(ev) {
    const canvas = $("plot"), box = canvas.getBoundingClientRect();
    return [(ev.clientX - box.left) * canvas.width / box.width, (ev.clientY - box.top) * canvas.height / box.height];
  }
  function nearestFake(px, py) {
    const s = lab.state, f = lab.frame;
    if (!s || !s.fake || !f) return null;
    let best = null, bestD = 10;
    s.fake.forEach((p, i) => {
      if (p[0] === null) return;
      const dx = f.x(p[0]) - px, dy = s.view.dim === 1 ? (f.axis + 6 - py) : f.y(p[1]) - py;
      const d = Math.hypot(dx, dy);
      if (d < bestD) { bestD = d; best = i; }
    });
    return best;
  }
  function bindPlot() {
    const canvas = $("plot");
    let down = false;
    canvas.addEventListener("mousedown", (ev) => {
      const [px, py] = canvasPoint(ev);
      if (lab.state && lab.state.config.dataset === "drawn" && lab.frame && lab.state.view.dim === 2) {
        down = true; lab.drawing = true; addPoint(px, py); return;
      }
      const i = nearestFake(px, py);
      if (i !== null) inspect(i);
    });
    canvas.addEventListener("mousemove", (ev) => { if (down) addPoint(...canvasPoint(ev)); });
    window.addEventListener("mouseup", () => { down = false; });
  }
  function addPoint(px, py) {
    const f = lab.frame, u = f.u(px), v = f.v(py);
    if (Math.abs(u) > 3 || Math.abs(v) > 3 || lab.drawn.length >= 2000) return;
    const last = lab.drawn[lab.drawn.length - 1];
    if (last && Math.hypot(last[0] - u, last[1] - v) < 0.04) return;
    lab.drawn.push([+u.toFixed(3), +v.toFixed(3)]);
    $("draw-count").textContent = lab.drawn.length;
    render(lab.state);
  }

  // -- controls -------------------------------------------------------------------------------------------
  function options(select, values) {
    select.innerHTML = values.map((v) => `<option value="${v}">${v}</option>`).join("");
  }
  // a select's options from its data-options: "value" (shown as it is) or "value=word" (a word of LAB_TEXT)
  function buildOptions(select) {
    select.innerHTML = select.dataset.options.trim().split(/\s+/).map((item) => {
      const [value, key] = item.split("=");
      return key ? `<option value="${value}" data-i18n="${key}"></option>` : `<option value="${value}">${value}</option>`;
    }).join("");
  }
  function readField(el) {
    const raw = el.value;
    if (el.dataset.type === "int") return /^-?\d+$/.test(raw.trim()) ? parseInt(raw, 10) : raw;
    if (el.dataset.type === "float") return raw.trim() !== "" && isFinite(+raw) ? +raw : raw;
    return raw;
  }
  function bindControls() {
    document.querySelectorAll("select[data-options]").forEach(buildOptions);
    document.querySelectorAll("[data-field]").forEach((el) => el.addEventListener("change", () => {
      lab.selected = null; lab.inside = null;
      send("/api/config", { [el.dataset.field]: readField(el) });
    }));
    document.querySelectorAll("[data-layer]").forEach((el) => el.addEventListener("change", () => {
      lab.show[el.dataset.layer] = el.checked; if (lab.state) render(lab.state);
    }));
    $("play").addEventListener("click", () => send(lab.state && lab.state.running ? "/api/pause" : "/api/play", {}));
    ["d", "g", "both"].forEach((player) =>
      $("step-" + player).addEventListener("click", () => send("/api/step", { player, count: 1 })));
    $("reset").addEventListener("click", () => { lab.selected = null; send("/api/reset", {}); });
    $("draw-use").addEventListener("click", () => { send("/api/config", { dataset: "drawn", points: lab.drawn }); lab.drawing = false; });
    $("draw-clear").addEventListener("click", () => { lab.drawn = []; $("draw-count").textContent = 0; lab.drawing = true; render(lab.state); });
    $("save").addEventListener("click", async () => {
      try { const r = await api("/api/save", { name: $("save-name").value }); listSaves(r.saves); notify(fill("notice_saved", { fields: r.saved })); }
      catch (e) { notify(`${T("error")}: ${e.message}`, true); }
    });
    $("load").addEventListener("click", () => { lab.selected = null; send("/api/load", { name: $("saves").value }); });
    $("lang-en").addEventListener("click", () => applyLanguage("en"));
    $("lang-ko").addEventListener("click", () => applyLanguage("ko"));
  }
  function listSaves(names) { options($("saves"), names); }

  async function start() {
    bindControls(); bindPlot();
    const asked = new URLSearchParams(location.search).get("lang");
    applyLanguage(asked || "en");
    try {
      const s = await api("/api/state");
      if (!asked) applyLanguage(s.lang);
      accept(s);
      listSaves((await api("/api/saves")).saves);
    } catch (e) { notify(`${T("error")}: ${e.message}`, true); }
    poll();
  }
  start();
})();
