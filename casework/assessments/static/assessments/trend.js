// The trend chart: a client's scores on one instrument, with the instrument's bands shaded behind the line.
// Data comes from the page's <script type="application/json" id="trend-data"> (json_script; no inline script).
// Without JavaScript (or Chart.js) the table below the chart holds the same points.
(function () {
  "use strict";

  // Light fills from green (lowest band) to red (highest), readable behind a dark line.
  var BAND_COLOURS = ["#e6f4ea", "#f3f7dc", "#fff3dc", "#fde6d2", "#fde8e8", "#f9d6d6"];
  var BAND_TEXT = "#4f5d6b";
  var WIDE = 520; // px of chart width from which band names fit in a right margin
  var NAME_MARGIN = 120;

  // A tiny Chart.js plugin: before the datasets are drawn, fill each band's score range and name it.
  var bandsPlugin = {
    id: "caseworkBands",
    beforeDatasetsDraw: function (chart, _args, options) {
      var bands = options.bands || [];
      var area = chart.chartArea;
      var y = chart.scales.y;
      var ctx = chart.ctx;
      ctx.save();
      bands.forEach(function (band, index) {
        // A band covers whole scores min..max: draw it from min - 0.5 to max + 0.5, clipped to the axis.
        var top = y.getPixelForValue(Math.min(band.max + 0.5, y.max));
        var bottom = y.getPixelForValue(Math.max(band.min - 0.5, y.min));
        ctx.fillStyle = BAND_COLOURS[Math.min(index, BAND_COLOURS.length - 1)];
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        ctx.strokeStyle = "rgba(79, 93, 107, 0.35)";
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, top);
        ctx.lineTo(area.right, top);
        ctx.stroke();
        ctx.setLineDash([]);
        // Names in the margin right of the plot, where no point can hide them; on a narrow screen the
        // names are left to the sentence above the chart and to the table.
        if (chart.width >= WIDE && bottom - top >= 12) {
          ctx.fillStyle = BAND_TEXT;
          ctx.font = "12px system-ui, sans-serif";
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillText(band.label, area.right + 8, (top + bottom) / 2);
        }
      });
      ctx.restore();
    }
  };

  function draw() {
    var source = document.getElementById("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!source || !canvas || typeof window.Chart !== "function") return;
    var data = JSON.parse(source.textContent);
    var points = data.points || [];
    var yMax = data.max !== null && data.max !== undefined ? data.max : undefined;
    // Dates on a linear axis of days, so the gaps between scores are true to time (Chart.js has no
    // date adapter built in). A little room either side keeps the end points clear of the band labels.
    var DAY = 86400000;
    var days = points.map(function (p) { return Date.parse(p.date + "T00:00:00Z") / DAY; });
    var span = days.length ? days[days.length - 1] - days[0] : 0;
    var pad = Math.max(3, Math.round(span * 0.06));
    function dateOf(value) { return new Date(Math.round(value) * DAY).toISOString().slice(0, 10); }
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: data.labels.score,
          data: points.map(function (p, i) { return { x: days[i], y: p.total }; }),
          borderColor: "#1f5f8b",
          backgroundColor: "#1f5f8b",
          borderWidth: 3,
          pointRadius: 5,
          pointHoverRadius: 7,
          tension: 0
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: {
          padding: function (context) { return { right: context.chart.width >= WIDE ? NAME_MARGIN : 8 }; }
        },
        scales: {
          y: {
            min: 0,
            max: yMax,
            ticks: { stepSize: yMax && yMax > 12 ? 3 : 1, precision: 0 },
            title: { display: true, text: data.labels.score }
          },
          x: {
            type: "linear",
            min: days.length ? days[0] - pad : undefined,
            max: days.length ? days[days.length - 1] + pad : undefined,
            ticks: {
              callback: dateOf,
              includeBounds: false,
              maxTicksLimit: 6,
              maxRotation: 0
            },
            // On a narrow screen only the first and last dates fit side by side.
            afterBuildTicks: function (axis) {
              if (axis.chart.width < WIDE && days.length) {
                var ends = days.length > 1 ? [days[0], days[days.length - 1]] : [days[0]];
                axis.ticks = ends.map(function (value) { return { value: value }; });
              }
            },
            title: { display: true, text: data.labels.date }
          }
        },
        plugins: {
          legend: { display: false },
          title: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? points[items[0].dataIndex].date : ""; },
              afterLabel: function (context) {
                var point = points[context.dataIndex];
                return point && point.band ? data.labels.band + ": " + point.band : "";
              }
            }
          },
          caseworkBands: { bands: data.bands || [] }
        }
      },
      plugins: [bandsPlugin]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
