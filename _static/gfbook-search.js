/* Search results without TeX source.
   Sphinx's search page builds each result's summary from the text of the page's HTML, in which
   every formula is still TeX source between \( \) or \[ \] (MathJax renders it only when the
   page itself is shown), so summaries read "\(2/\text{sharpne…". This replaces each formula of
   the fetched page by a plain reading of it ("2/sharpness", "η ≤ 2/L") before Sphinx takes the
   text: the commands the book uses for symbols become their characters, \text{...} and the like
   keep their argument, \frac{a}{b} becomes (a)/(b), a matrix's rows are separated by ";", and
   any other command is dropped.
   tests/test_site.py checks the summaries of a search for raw TeX. */
(() => {
  const symbols = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ",
    tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ",
    Theta: "Θ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω", nabla: "∇", partial: "∂",
    infty: "∞", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "∼",
    to: "→", rightarrow: "→", mapsto: "↦", in: "∈", cdot: "·", times: "×", pm: "±", sum: "∑",
    prod: "∏", int: "∫", sqrt: "√", ell: "ℓ", top: "ᵀ", dots: "…", ldots: "…", cdots: "⋯",
    quad: " ", qquad: " ", min: "min", max: "max", log: "log", ln: "ln", exp: "exp", sup: "sup",
    inf: "inf", lim: "lim", det: "det", sin: "sin", cos: "cos", mid: "|", lVert: "‖", rVert: "‖",
  };
  const group = (body) => (body.length > 1 ? `(${body})` : body);
  const plain = (tex) => {
    let text = tex.trim().replace(/^\\[([]/, "").replace(/\\[)\]]$/, "")
      .replace(/\\begin\s*\{[^{}]*\}(\{[^{}]*\})?|\\end\s*\{[^{}]*\}/g, " ")  // environments: keep the content
      .replace(/\\\\/g, "; ")  // rows
      .replace(/&/g, " ");  // columns
    for (let pass = 0; pass < 3; pass += 1) { // nested arguments, innermost first
      text = text
        .replace(/\\(?:text|textrm|mathrm|mathbf|mathit|mathsf|mathcal|mathbb|operatorname|boldsymbol)\s*\{([^{}]*)\}/g, "$1")
        .replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, (_, a, b) => `${group(a)}/${group(b)}`)
        .replace(/([_^])\{([^{}]*)\}/g, (_, mark, body) => mark + group(body));
    }
    return text
      .replace(/\\([a-zA-Z]+)/g, (_, name) => symbols[name] ?? "")
      .replace(/\\[,;:! ]/g, " ")
      .replace(/\\(.)/g, "$1")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  };
  const patch = () => {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.gfbook) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      page.querySelectorAll(".math").forEach((element) => { element.textContent = plain(element.textContent); });
      return original(page.documentElement.outerHTML, anchor);
    };
    Search.htmlToText.gfbook = true;
  };
  patch();
  document.addEventListener("DOMContentLoaded", patch);
})();
