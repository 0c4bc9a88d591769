// Drawing the lab's state on canvases: the 2-D plot, Figure 1 for 1-D data, the curves.
// Each function takes a 2-D context and plain data from /api/state; none of them talks to the server.
"use strict";
window.LabDraw = (function () {
  const C = { real: "#1a9850", fake: "#7b3294", arrow: "#e7298a", d: "#2166ac", grid: "#e3e3e3", axis: "#999" };
  const PAD = 18;                     // pixels around the data box
  const ARROW_MAX = 30;               // the longest arrow, in pixels
  const ARROW_SOFT = 3;               // |gradient| (times the view's span / 6) at which an arrow reaches 63 % of that

  // the square [lo, hi]^2 onto the canvas; returns {x(u), y(v), u(px), v(py), unit}
  function frame(canvas, view) {
    const size = Math.min(canvas.width, canvas.height) - 2 * PAD;
    const unit = size / (view.hi - view.lo);
    return {
      unit, size,
      x: (u) => PAD + (u - view.lo) * unit,
      y: (v) => PAD + (view.hi - v) * unit,
      u: (px) => view.lo + (px - PAD) / unit,
      v: (py) => view.hi - (py - PAD) / unit,
    };
  }

  // D's verdict: 0 -> purple, 1/2 -> white, 1 -> green, as a small image scaled up smoothly
  const heatCanvas = document.createElement("canvas");
  function heatColour(p) {
    const t = Math.max(0, Math.min(1, p));
    const [a, w] = t < 0.5 ? [[185, 144, 207], 2 * t] : [[124, 199, 154], 2 * (1 - t)];
    return [a[0] + (255 - a[0]) * w, a[1] + (255 - a[1]) * w, a[2] + (255 - a[2]) * w];
  }
  function heatmap(ctx, f, heat) {
    const n = heat.size;
    heatCanvas.width = n; heatCanvas.height = n;
    const hctx = heatCanvas.getContext("2d");
    const image = hctx.createImageData(n, n);
    heat.values.forEach((p, i) => {
      const c = p === null ? [200, 200, 200] : heatColour(p);
      image.data.set([c[0], c[1], c[2], 255], 4 * i);
    });
    hctx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heatCanvas, PAD, PAD, f.size, f.size);
  }

  function axes(ctx, f, view) {
    ctx.strokeStyle = C.grid; ctx.lineWidth = 1;
    const step = (view.hi - view.lo) > 8 ? 2 : 1;
    ctx.fillStyle = C.axis; ctx.font = "10px sans-serif";
    for (let t = Math.ceil(view.lo); t <= view.hi; t += step) {
      ctx.beginPath(); ctx.moveTo(f.x(t), PAD); ctx.lineTo(f.x(t), PAD + f.size); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(PAD, f.y(t)); ctx.lineTo(PAD + f.size, f.y(t)); ctx.stroke();
      ctx.fillText(String(t), f.x(t) - 3, PAD + f.size + 12);
    }
  }

  // G's manifold: each cell of the z grid as G warps it, darker where G packs it small (denser)
  function manifold(ctx, f, m) {
    const pts = m.points, rows = m.rows, cols = m.cols;
    ctx.strokeStyle = "rgba(123, 50, 148, 0.35)"; ctx.lineWidth = 0.7;
    if (rows === 1) {
      ctx.beginPath();
      pts.forEach((p, i) => (i ? ctx.lineTo(f.x(p[0]), f.y(p[1])) : ctx.moveTo(f.x(p[0]), f.y(p[1]))));
      ctx.lineWidth = 2; ctx.stroke();
      return;
    }
    const at = (r, c) => pts[r * cols + c];
    const areas = [];
    for (let r = 0; r + 1 < rows; r++) for (let c = 0; c + 1 < cols; c++) {
      const q = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
      if (q.some((p) => p[0] === null || p[1] === null)) continue;
      let a = 0;
      for (let i = 0; i < 4; i++) { const p = q[i], s = q[(i + 1) % 4]; a += f.x(p[0]) * f.y(s[1]) - f.x(s[0]) * f.y(p[1]); }
      areas.push([q, Math.abs(a) / 2]);
    }
    const sorted = areas.map((e) => e[1]).sort((a, b) => a - b);
    const typical = sorted[Math.floor(sorted.length / 2)] || 1;
    const levels = new Map();          // cells of one shade in one path: a few fills instead of hundreds
    for (const [q, area] of areas) {
      const level = Math.round(10 * Math.min(0.5, 0.12 * typical / Math.max(area, 1e-3))) / 10;
      if (!levels.has(level)) levels.set(level, []);
      levels.get(level).push(q);
    }
    const outline = new Path2D();
    for (const [level, cells] of levels) {
      const path = new Path2D();
      for (const q of cells) {
        q.forEach((p, i) => (i ? path.lineTo(f.x(p[0]), f.y(p[1])) : path.moveTo(f.x(p[0]), f.y(p[1]))));
        path.closePath();
      }
      outline.addPath(path);
      if (level > 0) { ctx.fillStyle = `rgba(123, 50, 148, ${level})`; ctx.fill(path); }
    }
    ctx.stroke(outline);
  }

  // one path for all the dots (one fill), with an optional outline that keeps them apart from what is under them
  function dots(ctx, f, points, colour, radius, outline) {
    ctx.beginPath();
    for (const p of points) {
      if (p[0] === null || p[1] === null) continue;
      const x = f.x(p[0]), y = f.y(p[1]);
      ctx.moveTo(x + radius, y); ctx.arc(x, y, radius, 0, 2 * Math.PI);
    }
    if (outline) { ctx.strokeStyle = outline; ctx.lineWidth = 1; ctx.stroke(); }
    ctx.fillStyle = colour; ctx.fill();
  }

  // an arrow from (x, y) along -gradient (where G's loss pushes the sample), added to the paths ``shafts`` and
  // ``heads``; its length grows with |gradient| and levels off at ARROW_MAX (1 - exp(-|g| / ARROW_SOFT)),
  // so a small gradient stays visibly small
  function arrow(shafts, heads, x, y, dx, dy, span) {
    const norm = Math.hypot(dx, dy);
    const len = ARROW_MAX * (1 - Math.exp(-norm * span / 6 / ARROW_SOFT));
    if (!(len > 0.5)) return;
    const ex = x - dx / norm * len, ey = y + dy / norm * len;     // -gradient; canvas y points down
    const ang = Math.atan2(ey - y, ex - x), head = Math.min(5, 0.45 * len);
    shafts.moveTo(x, y); shafts.lineTo(ex, ey);
    heads.moveTo(ex, ey);
    heads.lineTo(ex - head * Math.cos(ang - 0.45), ey - head * Math.sin(ang - 0.45));
    heads.lineTo(ex - head * Math.cos(ang + 0.45), ey - head * Math.sin(ang + 0.45));
    heads.closePath();
  }

  // arrows at the points (x, y) of ``at`` with the gradients of ``grads``: one stroke and one fill for all
  function arrows(ctx, at, grads, span, width) {
    const shafts = new Path2D(), heads = new Path2D();
    at.forEach(([x, y], i) => {
      const g = grads[i];
      if (!g || g[0] === null || x === null) return;
      arrow(shafts, heads, x, y, g[0], g.length > 1 ? g[1] : 0, span);
    });
    ctx.strokeStyle = C.arrow; ctx.fillStyle = C.arrow; ctx.globalAlpha = 0.8; ctx.lineWidth = width;
    ctx.stroke(shafts); ctx.fill(heads);
    ctx.globalAlpha = 1;
  }

  function highlight(ctx, x, y) {
    ctx.strokeStyle = "#000"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI); ctx.stroke();
  }

  // the 2-D plot: heatmap, manifold, real, fake, arrows (each if shown), drawn points, the chosen sample
  function plot2d(canvas, s, real, show, extra) {
    const ctx = canvas.getContext("2d"), f = frame(canvas, s.view), span = s.view.hi - s.view.lo;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (show.heatmap && s.heatmap) heatmap(ctx, f, s.heatmap);
    axes(ctx, f, s.view);
    ctx.save(); ctx.beginPath(); ctx.rect(PAD, PAD, f.size, f.size); ctx.clip();     // samples off the view stay off
    if (show.manifold && s.manifold) manifold(ctx, f, s.manifold);
    if (show.fake && s.fake) dots(ctx, f, s.fake, C.fake, 2.6);
    if (show.arrows && s.fake && s.arrows) {
      arrows(ctx, s.fake.map((p) => (p[0] === null ? [null, null] : [f.x(p[0]), f.y(p[1])])), s.arrows, span, 1.1);
    }
    if (show.real && real) dots(ctx, f, real, C.real, 2.2, "rgba(255, 255, 255, 0.9)");   // on top: where the data is
    if (extra.drawn && extra.drawn.length) dots(ctx, f, extra.drawn, "#000", 2.5);
    const p = s.fake && extra.selected !== null ? s.fake[extra.selected] : null;
    if (p && p[0] !== null) highlight(ctx, f.x(p[0]), f.y(p[1]));
    ctx.restore();
    return f;
  }

  // Figure 1 of the GAN paper for 1-D data: densities and D(x) above, the map z -> G(z) below
  function plot1d(canvas, s, real, show, extra, word) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, o = s.one_d;
    ctx.clearRect(0, 0, W, H);
    if (!o) return null;
    const x0 = PAD + 10, x1 = W - PAD, top = PAD + 10, base = H * 0.58, xAxis = H * 0.68, zAxis = H - PAD - 24;
    const X = (u) => x0 + (u - s.view.lo) / (s.view.hi - s.view.lo) * (x1 - x0);
    const pmax = Math.max(...o.p_data.filter((v) => v !== null), ...o.p_g.filter((v) => v !== null), 1e-6);
    const P = (v) => base - v / pmax * (base - top) * 0.95;
    const Dy = (v) => base - v * (base - top);
    ctx.strokeStyle = C.grid; ctx.beginPath(); ctx.moveTo(x0, base); ctx.lineTo(x1, base); ctx.stroke();
    ctx.setLineDash([2, 3]); ctx.strokeStyle = "#aaa"; ctx.beginPath(); ctx.moveTo(x0, Dy(0.5)); ctx.lineTo(x1, Dy(0.5)); ctx.stroke();
    const line = (xs, ys, Y, colour, dash, width) => {
      ctx.setLineDash(dash); ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.beginPath();
      let started = false;
      xs.forEach((u, i) => { if (ys[i] === null) return; const px = X(u), py = Y(ys[i]); started ? ctx.lineTo(px, py) : ctx.moveTo(px, py); started = true; });
      ctx.stroke(); ctx.setLineDash([]);
    };
    if (show.real) line(o.x, o.p_data, P, C.real, [2, 3], 2);
    if (show.fake) {
      const mids = o.p_g.map((_, i) => (o.p_g_edges[i] + o.p_g_edges[i + 1]) / 2);
      line(mids, o.p_g, P, C.fake, [], 2);
    }
    if (show.heatmap) line(o.x, o.d, Dy, C.d, [7, 4], 2);
    // the x axis and the z axis, with the lines z -> G(z)
    ctx.strokeStyle = "#444"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x0, xAxis); ctx.lineTo(x1, xAxis); ctx.stroke();
    const zl = o.z[0], zh = o.z[o.z.length - 1], Z = (z) => x0 + (z - zl) / (zh - zl) * (x1 - x0) * 0.6 + (x1 - x0) * 0.2;
    ctx.beginPath(); ctx.moveTo(Z(zl), zAxis); ctx.lineTo(Z(zh), zAxis); ctx.stroke();
    if (show.manifold) {
      ctx.strokeStyle = "rgba(60, 60, 60, 0.55)";
      o.z.forEach((z, i) => { if (o.g[i] === null) return; ctx.beginPath(); ctx.moveTo(Z(z), zAxis); ctx.lineTo(X(o.g[i]), xAxis); ctx.stroke(); });
    }
    const ticks = (pts, colour, y, h) => { ctx.strokeStyle = colour; ctx.lineWidth = 1;
      for (const p of pts) { if (p[0] === null) continue; ctx.beginPath(); ctx.moveTo(X(p[0]), y - h); ctx.lineTo(X(p[0]), y + h); ctx.stroke(); } };
    if (show.real && real) ticks(real.slice(0, 160), C.real, xAxis - 6, 4);
    if (show.fake && s.fake) ticks(s.fake.slice(0, 160), C.fake, xAxis + 6, 4);
    if (show.arrows && s.fake && s.arrows) {
      const at = s.fake.slice(0, 160).map((p, i) => (p[0] === null ? [null, null] : [X(p[0]), xAxis + 14 + (i % 8) * 3]));
      arrows(ctx, at, s.arrows, (s.view.hi - s.view.lo) / 3, 1);
    }
    legend1d(ctx, x0 + 4, top, word);
    ctx.fillStyle = "#333"; ctx.font = "12px sans-serif";
    ctx.fillText(word("fig_x"), x1 - 8, xAxis - 12); ctx.fillText(word("fig_z"), Z(zh) + 6, zAxis + 4);
    for (let t = Math.ceil(s.view.lo); t <= s.view.hi; t += 1) ctx.fillText(String(t), X(t) - 3, xAxis + 44);
    const p = s.fake && extra.selected !== null ? s.fake[extra.selected] : null;
    if (p && p[0] !== null) highlight(ctx, X(p[0]), xAxis + 6);
    return { x: X, unit: (x1 - x0) / (s.view.hi - s.view.lo), axis: xAxis };
  }

  // the key of Figure 1's three curves, top left
  function legend1d(ctx, x, y, word) {
    const items = [[word("fig_pdata"), C.real, [2, 3]], [word("fig_pg"), C.fake, []], [word("fig_d"), C.d, [7, 4]]];
    ctx.font = "12px sans-serif"; ctx.lineWidth = 2;
    items.forEach(([label, colour, dash], i) => {
      ctx.setLineDash(dash); ctx.strokeStyle = colour;
      ctx.beginPath(); ctx.moveTo(x, y + 6 + 16 * i); ctx.lineTo(x + 26, y + 6 + 16 * i); ctx.stroke();
      ctx.setLineDash([]); ctx.fillStyle = "#333"; ctx.fillText(label, x + 32, y + 10 + 16 * i);
    });
  }

  // a small line chart of several series against the iteration; fixed y range if given
  function chart(canvas, xs, series, range) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, L = 34, R = 6, T = 6, B = 16;
    ctx.clearRect(0, 0, W, H);
    let lo = range ? range[0] : Infinity, hi = range ? range[1] : -Infinity;
    if (!range) for (const s of series) for (const v of s.values) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(hi > lo)) { lo = (isFinite(lo) ? lo : 0) - 1; hi = lo + 2; }
    const n = xs.length, xmax = n ? Math.max(xs[n - 1], 1) : 1;
    const X = (v) => L + v / xmax * (W - L - R), Y = (v) => T + (hi - v) / (hi - lo) * (H - T - B);
    ctx.strokeStyle = "#ccc"; ctx.strokeRect(L, T, W - L - R, H - T - B);
    ctx.fillStyle = "#777"; ctx.font = "10px sans-serif";
    ctx.fillText(hi.toPrecision(2), 2, T + 8); ctx.fillText(lo.toPrecision(2), 2, H - B);
    ctx.fillText("0", L, H - 4); ctx.fillText(String(xmax), W - R - 6 * String(xmax).length, H - 4);
    for (const s of series) {
      ctx.strokeStyle = s.colour; ctx.lineWidth = s.width || 1.5; ctx.setLineDash(s.dash || []);
      ctx.beginPath(); let started = false;
      s.values.forEach((v, i) => { if (v === null) return; const px = X(xs[i]), py = Y(v); started ? ctx.lineTo(px, py) : ctx.moveTo(px, py); started = true; });
      ctx.stroke(); ctx.setLineDash([]);
    }
  }

  return { C, frame, plot2d, plot1d, chart };
})();
