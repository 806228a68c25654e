// Walk-in queue pages (ticket and waiting-room display).
// - A poll that brings nothing new is not swapped in, so screen readers (aria-live) hear
//   only real changes.
// - The display chimes when a ticket is called, once someone has turned the chime on (browsers
//   allow sound only after a user gesture). The number and desk are always on screen too.
(function () {
  "use strict";
  var stateOf = function (html) {
    var match = /data-state="([^"]*)"/.exec(html);
    return match ? match[1] : null;
  };
  var latestOf = function (html) {
    var match = /data-latest="([^"]*)"/.exec(html);
    return match ? match[1] : "";
  };

  var audio = null;
  var soundOn = false;
  var button = document.getElementById("display-sound");

  function chime() {
    if (!soundOn || !audio) return;
    var now = audio.currentTime;
    [880, 660].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.4, now + i * 0.35 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.35);
      osc.stop(now + i * 0.35 + 0.32);
    });
  }

  if (button) {
    button.addEventListener("click", function () {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!audio && Context) audio = new Context();
      if (audio && audio.state === "suspended") audio.resume();
      soundOn = !soundOn;
      button.setAttribute("aria-pressed", soundOn ? "true" : "false");
      button.textContent = soundOn ? button.dataset.on : button.dataset.off;
      if (soundOn) chime();
    });
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var current = target.querySelector("[data-state]");
    var incoming = event.detail.xhr.responseText || "";
    if (current && stateOf(incoming) === current.getAttribute("data-state")) {
      event.detail.shouldSwap = false;
      return;
    }
    var board = target.querySelector("[data-latest]");
    if (board && latestOf(incoming) && latestOf(incoming) !== board.getAttribute("data-latest")) {
      chime();
    }
  });
})();
