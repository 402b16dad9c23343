/* In-page measures for the practice tests, the same in Chromium (Playwright, tests/site_checks/
   states.py) and Firefox (puppeteer, tests/site_checks/firefox.mjs): evaluated in a loaded page,
   it defines window.__practice.

   - buttons(): the first practice button of each kind on the page: every <button> inside a
     practice box (an element with data-course-script) but Material's code-block buttons,
     a kind being its classes.
   - contrast(button): its text against what is behind it, as the browser draws it now
     (after any transition): computed colours, each background composited over the ones
     below it, down to the page; and which states the button is in.
   - boxes(): the first textarea of each kind of practice box on the page.
   - buttonAfter(box), liveText(box), limit(box), note(box): the button that checks a paste
     box, the longest text of its live regions, the most it takes, and the note course.js
     writes under it.
   - contrastInPalettes(button, schemes): contrast() in each palette.
   - afterNext(type): a promise of the time from the next `type` event (its timeStamp) until
     the browser has drawn the frame after it: how long the page takes to answer. */
(function () {
  "use strict";
  if (window.__practice) return;

  var BUTTONS = "[data-course-script] button:not(.md-code__button)";

  function parse(text) {
    var m = /^rgba?\(([^)]*)\)$/.exec(text) || /^color\(srgb ([^)]*)\)$/.exec(text);
    if (!m) throw new Error("a colour this check cannot read: " + text);
    var v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    var scale = text.indexOf("color(") === 0 ? 255 : 1;
    return [v[0] * scale, v[1] * scale, v[2] * scale, v.length > 3 ? v[3] : 1];
  }

  /* `top` drawn over `below` (straight alpha). */
  function over(top, below) {
    var a = top[3] + below[3] * (1 - top[3]);
    if (!a) return [0, 0, 0, 0];
    var out = [0, 1, 2].map(function (i) {
      return (top[i] * top[3] + below[i] * below[3] * (1 - top[3])) / a;
    });
    return out.concat(a);
  }

  /* What is drawn behind the element's text: the backgrounds from the canvas (white) up to it. */
  function backdrop(el) {
    var chain = [];
    for (var node = el; node; node = node.parentElement) chain.unshift(node);
    return chain.reduce(function (below, node) {
      return over(parse(getComputedStyle(node).backgroundColor), below);
    }, [255, 255, 255, 1]);
  }

  function luminance(c) {
    var rgb = c.slice(0, 3).map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }

  function ratio(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  window.__practice = {
    BUTTONS: BUTTONS,

    buttons: function () {
      var seen = {};
      var out = [];
      Array.prototype.forEach.call(document.querySelectorAll(BUTTONS), function (button, index) {
        var kind = Array.prototype.slice.call(button.classList).sort().join(" ") || "(no class)";
        if (seen[kind]) return;
        seen[kind] = true;
        out.push({ kind: kind, index: index, text: button.textContent.trim() });
      });
      return out;
    },

    contrast: function (el) {
      var running = el.getAnimations ? el.getAnimations() : [];
      return Promise.all(
        running.map(function (a) {
          return a.finished.catch(function () {});
        })
      ).then(function () {
        var style = getComputedStyle(el);
        var below = backdrop(el);
        var text = over(parse(style.color), below);
        var opacity = Number(style.opacity);
        if (opacity < 1) {
          // The button, text and fill, drawn at that opacity over what is behind it.
          var behind = backdrop(el.parentElement);
          text = over(text.slice(0, 3).concat(opacity), behind);
          below = over(below.slice(0, 3).concat(opacity), behind);
        }
        return {
          ratio: Math.round(ratio(text, below) * 100) / 100,
          color: style.color,
          background: style.backgroundColor,
          hover: el.matches(":hover"),
          focus: el.matches(":focus"),
          focusVisible: el.matches(":focus-visible"),
          disabled: el.disabled,
        };
      });
    },

    BOXES: "[data-course-script] textarea",

    /* The first textarea of each kind of practice box on the page: {kind, index} in BOXES. */
    boxes: function () {
      var seen = {};
      var out = [];
      Array.prototype.forEach.call(document.querySelectorAll(this.BOXES), function (box, index) {
        var kind = box.closest("[data-course-script]").className;
        if (seen[kind]) return;
        seen[kind] = true;
        out.push({ kind: kind, index: index });
      });
      return out;
    },

    /* The button that checks what the box holds: the box kind's own (CHECKS), else the first
       enabled practice button after the box in its practice box. */
    CHECKS: {
      lab: ".lab__check",
      "progress-tools": ".progress-tools__import",
      "which-docker": ".which-docker__check",
      "error-finder": ".error-finder__find",
    },
    buttonAfter: function (box) {
      var root = box.closest("[data-course-script]");
      var own = this.CHECKS[root.classList[0]];
      if (own && root.querySelector(own)) return root.querySelector(own);
      return (
        Array.prototype.find.call(root.querySelectorAll(BUTTONS), function (b) {
          return !b.disabled && box.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING;
        }) || null
      );
    },

    /* The longest text of the box's live regions (a paste echoed there is read out whole). */
    liveText: function (box) {
      var regions = box.closest("[data-course-script]").querySelectorAll("[aria-live], [role=status], [role=alert]");
      return Math.max.apply(null, [0].concat(Array.prototype.map.call(regions, function (r) {
        return r.textContent.length;
      })));
    },

    /* The most characters the box takes (course.js refuses a larger paste). */
    limit: function (box) {
      return box.maxLength > 0 ? box.maxLength : window.course.paste.MAX;
    },

    /* How the box takes a paste larger than its limit: "end" (data-paste-keeps: course.js keeps
       the paste's last lines) or "" (it refuses it). */
    keeps: function (box) {
      return box.getAttribute("data-paste-keeps") || "";
    },

    /* Puts `text` on the clipboard, and keeps it for held(). */
    copy: function (text) {
      this.copied = text;
      return navigator.clipboard.writeText(text);
    },

    /* What the box holds of the text last copied: "all" of it, its "lines" (an end that starts
       a line), its "end" cut inside a line, or "other" (nothing, or not its end). */
    held: function (box) {
      var text = this.copied;
      var value = box.value;
      if (value === text) return "all";
      if (!value || text.slice(-value.length) !== value) return "other";
      return text.charAt(text.length - value.length - 1) === "\n" ? "lines" : "end";
    },

    /* The box's paste note (course.js), "" when there is none. */
    note: function (box) {
      var note = box.nextElementSibling;
      return note && note.classList.contains("course-paste-note") ? note.textContent : "";
    },

    /* The button's contrast in each of Material's palettes (scheme names), switched as the
       palette toggle does; the palette it had is put back. */
    contrastInPalettes: function (el, schemes) {
      var self = this;
      var before = document.body.getAttribute("data-md-color-scheme");
      var out = {};
      return schemes
        .concat([before])
        .reduce(function (done, scheme, i) {
          return done.then(function () {
            var input = Array.prototype.find.call(document.querySelectorAll("[data-course-palette] input"), function (x) {
              return x.dataset.mdColorScheme === scheme && x.dataset.mdColorMedia !== "(prefers-color-scheme)";
            });
            if (!input) throw new Error("no palette " + scheme);
            input.click();
            if (document.body.getAttribute("data-md-color-scheme") !== scheme) throw new Error("palette " + scheme + " not set");
            if (i < schemes.length) {
              return self.contrast(el).then(function (m) {
                out[scheme] = m;
              });
            }
          });
        }, Promise.resolve())
        .then(function () {
          return out;
        });
    },

    /* Milliseconds from the next `type` event to the frame drawn after it; -1 when no such
       event came within 10 s (the action did not happen: a disabled button, say). */
    afterNext: function (type) {
      return new Promise(function (resolve) {
        var missed = setTimeout(function () {
          document.removeEventListener(type, seen, true);
          resolve(-1);
        }, 10000);
        function seen(event) {
          clearTimeout(missed);
          document.removeEventListener(type, seen, true);
          var start = event.timeStamp;
          requestAnimationFrame(function () {
            setTimeout(function () {
              resolve(Math.round(performance.now() - start));
            }, 0);
          });
        }
        document.addEventListener(type, seen, true);
      });
    },
  };
})();
