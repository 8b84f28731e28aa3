/**
 * The report's only script: the item drill-down. Item data sits in the page as one gzipped,
 * base64 block per item and is decoded only when the item is opened, so a report of
 * thousands of answers opens fast. Answer text is untrusted: it is only ever inserted with
 * textContent / text nodes, never as markup. The page's CSP allows this script by its hash.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var blocks = new Map();
  document.querySelectorAll('script[data-item]').forEach(function (s) { blocks.set(s.getAttribute('data-item'), s); });
  var panel = document.getElementById('drilldown-panel');
  var filter = document.getElementById('item-filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#item-index tbody tr'));

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function decode(block) {
    var bin = atob(block.textContent.trim());
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(JSON.parse);
  }

  function promptText(p) {
    if (typeof p === 'string') return p;
    return p.map(function (m) { return m.role + ': ' + m.content; }).join('\n\n');
  }

  // Character ranges of the quoted sentences, merged, each tagged good (point met) or bad.
  function highlights(text, verdicts) {
    var ranges = [];
    var lower = text.toLowerCase();
    verdicts.forEach(function (v) {
      if (v.met !== true) return;
      var cls = v.kind === 'point' ? 'hit-point' : 'hit-bad';
      v.quotes.forEach(function (q) {
        if (!q) return;
        var needle = q.toLowerCase();
        var from = 0;
        var at;
        while ((at = lower.indexOf(needle, from)) !== -1) {
          ranges.push({ start: at, end: at + needle.length, cls: cls, entry: v.entry });
          from = at + needle.length;
        }
      });
    });
    ranges.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r.start < last.end) {
        if (r.end > last.end) last.end = r.end;
        if (last.entries.indexOf(r.entry) === -1) last.entries.push(r.entry);
        if (r.cls === 'hit-bad') last.cls = 'hit-bad';
      } else {
        merged.push({ start: r.start, end: r.end, cls: r.cls, entries: [r.entry] });
      }
    });
    return merged;
  }

  function answerText(text, verdicts) {
    var pre = h('pre', 'answer');
    if (text === null || text === undefined) { pre.appendChild(h('em', null, '(no answer)')); return pre; }
    var pos = 0;
    highlights(text, verdicts).forEach(function (r) {
      if (r.start > pos) pre.appendChild(document.createTextNode(text.slice(pos, r.start)));
      var mark = h('mark', r.cls, text.slice(r.start, r.end));
      mark.title = r.entries.join(', ');
      pre.appendChild(mark);
      pos = r.end;
    });
    if (pos < text.length) pre.appendChild(document.createTextNode(text.slice(pos)));
    return pre;
  }

  function verdictList(answer, entries) {
    var byId = new Map(entries.map(function (e) { return [e.id, e]; }));
    var ul = h('ul', 'verdicts');
    answer.verdicts.forEach(function (v) {
      var entry = byId.get(v.entry);
      var state = v.met === true ? 'met' : v.met === false ? 'not-met' : 'undecided';
      var symbol = v.met === true ? (v.kind === 'point' ? '✓' : '✗') : v.met === false ? '·' : '?';
      var li = h('li', 'verdict ' + v.kind + ' ' + state);
      li.appendChild(h('span', 'symbol', symbol));
      li.appendChild(h('span', 'kind', v.kind));
      li.appendChild(h('code', null, v.entry));
      li.appendChild(h('span', 'entry-text', entry ? entry.text : ''));
      var meta = (v.met === null ? 'undecided' : v.met ? 'met' : 'not met') + ' · ' + v.decided_by + (v.points ? ' · ' + (v.points > 0 ? '+' : '') + v.points : '');
      if (v.provenance) meta += ' by ' + v.provenance.graders.join(', ') + (v.provenance.at ? ' · ' + v.provenance.at : '') + (v.provenance.origin.length ? ' · from ' + v.provenance.origin.join(', ') : '');
      if (v.agreement === false) meta += ' · matcher and judge disagree';
      li.appendChild(h('span', 'meta', meta));
      v.quotes.forEach(function (q) { li.appendChild(h('q', null, q)); });
      if (v.rationale) li.appendChild(h('span', 'rationale', v.rationale));
      (v.flags || []).forEach(function (f) { li.appendChild(h('span', 'rationale', f)); });
      ul.appendChild(li);
    });
    return ul;
  }

  function renderItem(item) {
    panel.textContent = '';
    var head = h('header', 'item-head');
    head.appendChild(h('h3', null, item.id));
    head.appendChild(h('p', 'meta', item.topic + ' · depth ' + item.depth + (item.category ? ' · ' + item.category : '') + ' · ' + item.answers.length + ' answers'));
    panel.appendChild(head);
    panel.appendChild(h('h4', null, 'Question'));
    panel.appendChild(h('pre', 'prompt', promptText(item.prompt)));
    item.variants.forEach(function (v) {
      panel.appendChild(h('h4', null, 'Variant ' + v.id + ' (' + v.kind + ')'));
      if (v.prompt) panel.appendChild(h('pre', 'prompt', promptText(v.prompt)));
      if (v.turns) v.turns.forEach(function (t, i) { panel.appendChild(h('pre', 'prompt', 'Turn ' + (i + 1) + ': ' + t)); });
    });
    if (item.reference) { panel.appendChild(h('h4', null, 'Reference answer')); panel.appendChild(h('pre', 'prompt', item.reference)); }
    panel.appendChild(h('h4', null, 'Rubric'));
    var rubric = h('ul', 'rubric');
    item.entries.forEach(function (e) {
      var li = h('li', 'entry ' + e.kind);
      li.appendChild(h('span', 'kind', e.kind));
      li.appendChild(h('code', null, e.id));
      li.appendChild(h('span', null, e.text + (e.score !== null && e.score !== undefined ? ' (' + (e.score > 0 ? '+' : '') + e.score + ')' : '') + (e.critical ? ' · critical' : '') + (e.safety ? ' · safety' : '') + (e.evidence ? ' · ' + e.evidence.scheme + ' ' + e.evidence.level : '') + (e.variant ? ' · variant ' + e.variant : '')));
      rubric.appendChild(li);
    });
    panel.appendChild(rubric);

    var respondents = Array.from(new Set(item.answers.map(function (a) { return a.respondent; })));
    var choose = h('select', 'respondent-filter');
    choose.setAttribute('aria-label', 'Show answers of');
    choose.appendChild(new Option('all respondents', ''));
    respondents.forEach(function (r) { choose.appendChild(new Option(r, r)); });
    var label = h('label', 'filter', 'Answers of ');
    label.appendChild(choose);
    panel.appendChild(h('h4', null, 'Answers'));
    panel.appendChild(label);
    var list = h('div', 'answers');
    panel.appendChild(list);
    function show() {
      list.textContent = '';
      item.answers.filter(function (a) { return !choose.value || a.respondent === choose.value; }).forEach(function (a) {
        var card = h('article', 'answer-card ' + a.status + (a.vetoed_by.length ? ' vetoed' : ''));
        var title = a.respondent + (a.respondent_kind === 'human' ? ' (doctor)' : '') + ' · ' + a.variant + (a.turn ? ' · turn ' + a.turn : '') + (a.sample ? ' · sample ' + a.sample : '');
        var top = h('header');
        top.appendChild(h('strong', null, title));
        top.appendChild(h('span', 'score', a.score === null ? a.status : 'score ' + a.score.toFixed(1)));
        if (a.vetoed_by.length) top.appendChild(h('span', 'badge', 'VETO: ' + a.vetoed_by.join(', ')));
        if (a.zeroed_by.length) top.appendChild(h('span', 'badge zero', 'zero: ' + a.zeroed_by.join(', ')));
        card.appendChild(top);
        if (a.error) card.appendChild(h('p', 'note', 'Error: ' + a.error));
        card.appendChild(answerText(a.text, a.verdicts));
        card.appendChild(verdictList(a, item.entries));
        list.appendChild(card);
      });
    }
    choose.addEventListener('change', show);
    show();
  }

  function open(id) {
    var block = blocks.get(id);
    if (!block) return;
    rows.forEach(function (r) { r.classList.toggle('selected', r.getAttribute('data-item') === id); });
    panel.textContent = 'Loading ' + id + '…';
    panel.hidden = false;
    decode(block).then(function (item) {
      renderItem(item);
      panel.setAttribute('data-open-item', id);
      panel.scrollIntoView({ block: 'start' });
    }, function (err) {
      panel.textContent = 'Could not open ' + id + ': ' + err;
    });
  }

  document.addEventListener('click', function (ev) {
    var target = ev.target instanceof Element ? ev.target.closest('[data-item]') : null;
    if (!target || target.tagName === 'SCRIPT' || target.tagName === 'TR') return;
    ev.preventDefault();
    open(target.getAttribute('data-item'));
  });

  if (filter) {
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      rows.forEach(function (r) { r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) === -1; });
    });
  }
})();
`;
