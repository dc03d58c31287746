/* Long inline formulas on a narrow screen.
   MathJax 3 does not break a formula across lines, so on a phone an inline formula longer than
   the line sticks out of its paragraph and is clipped by the box around it (a theorem, a proof).
   Once MathJax has typeset the page, and again when the text column's width changes, every inline
   formula wider than what its paragraph has room for gets the class gfbook-scroll-inline: it
   then takes a line of its own at most as wide as the paragraph and scrolls sideways, with the
   scroll cue of wide display equations (_static/gfbook.css). Formulas that fit are left alone.
   tests/test_site.py checks that no inline formula sticks out of its paragraph on a phone. */
(() => {
  const block = (el) => {
    let box = el.parentElement;
    // past the inline wrappers (MathJax's span.math is inline-flex and shrinks to its formula)
    while (box && getComputedStyle(box).display.startsWith("inline")) box = box.parentElement;
    return box;
  };
  const room = (box) => {
    const style = getComputedStyle(box);
    return box.clientWidth - (parseFloat(style.paddingLeft) || 0) - (parseFloat(style.paddingRight) || 0);
  };
  const mark = () => {
    for (const jax of document.querySelectorAll('.bd-article mjx-container:not([display="true"])')) {
      jax.classList.remove("gfbook-scroll-inline");
      const box = block(jax);
      if (box && jax.getBoundingClientRect().width > room(box) + 1) jax.classList.add("gfbook-scroll-inline");
    }
  };
  const start = () => {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
    MathJax.startup.promise.then(() => {
      mark();
      // again whenever the text column changes width (a rotated phone, a resized window)
      const article = document.querySelector(".bd-article");
      let width = article ? article.clientWidth : 0;
      if (article && window.ResizeObserver) {
        new ResizeObserver(() => {
          if (article.clientWidth !== width) {
            width = article.clientWidth;
            mark();
          }
        }).observe(article);
      }
    });
  };
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
