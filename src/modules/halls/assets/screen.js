// The calling screen: follows the hall's server-sent events, puts each call at the top of the
// table and speaks it (SpeechSynthesis, zh-CN). Without this file the page reloads every 10 s.
(() => {
  var main = document.getElementById('main');
  if (!main || !('EventSource' in window)) return;
  var hall = main.getAttribute('data-hall');
  var say = main.getAttribute('data-say') || '';
  var lang = main.getAttribute('data-lang') || 'zh-CN';
  var tbody = document.getElementById('calls');
  var status = document.getElementById('screen-status');
  var kinds = { call: '', recall: '', skip: '', transfer: '' };
  document.querySelectorAll('#calls tr[class^="call-"] .kind').forEach((k) => {
    var row = k.closest('tr');
    var kind = row ? row.className.replace('call-', '') : '';
    if (kind in kinds && !kinds[kind]) kinds[kind] = k.textContent;
  });
  var speak = (text) => {
    if (!('speechSynthesis' in window)) return;
    var u = new SpeechSynthesisUtterance(text);
    u.lang = lang === 'en' ? 'en-GB' : 'zh-CN';
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  };
  var pad = (n) => (n < 10 ? '0' : '') + n;
  var es = new EventSource('/api/v1/halls/' + encodeURIComponent(hall) + '/events');
  es.addEventListener('call', (m) => {
    var e = JSON.parse(m.data);
    var empty = tbody.querySelector('tr.empty');
    if (empty) empty.remove();
    var tr = document.createElement('tr');
    tr.className = 'call-' + e.kind + ' fresh';
    var at = new Date(Date.parse(e.at) + 8 * 3600 * 1000);
    var cells = [e.ticket, String(e.window), pad(at.getUTCHours()) + ':' + pad(at.getUTCMinutes())];
    cells.forEach((text, i) => {
      var td = document.createElement('td');
      var span;
      td.textContent = text;
      if (i === 0) td.className = 'ticket';
      if (i === 1 && kinds[e.kind]) {
        span = document.createElement('span');
        span.className = 'kind';
        span.textContent = ' ' + kinds[e.kind];
        td.appendChild(span);
      }
      tr.appendChild(td);
    });
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.children.length > 8) tbody.removeChild(tbody.lastChild);
    if (e.kind === 'call' || e.kind === 'recall')
      speak(say.replace('{ticket}', e.ticket.split('').join(' ')).replace('{window}', String(e.window)));
  });
  es.addEventListener('open', () => {
    status.textContent = '';
  });
  es.addEventListener('error', () => {
    status.textContent = main.getAttribute('data-offline') || '';
  });
})();
