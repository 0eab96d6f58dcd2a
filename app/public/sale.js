// The payee app's one script (docs/payee-app.md): plain JavaScript, an ES module, no build step.
// Every page works without it; it adds item rows and a live total to the new-sale form, and turns the
// sale screen's status area live from the server's event stream.

const money = (minor, currency, locale) => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);

/** "70", "70,50", "70.5", "1 000" in minor units, as app/money.ts reads a price; NaN for anything else. */
function price(text) {
  const match = /^(\d{1,8})(?:[.,](\d{1,2}))?$/.exec(text.replace(/[\s\u00a0\u202f]/g, ''));
  return match ? Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0')) : NaN;
}

function saleForm(form) {
  const items = form.querySelector('[data-items]');
  const template = document.getElementById('item-template');
  const total = form.querySelector('[data-total]');
  const add = form.querySelector('[data-add-item]');
  if (!items || !template || !total || !add) return;
  const removeLabel = form.dataset.removeLabel || 'Remove';
  let next = items.querySelectorAll('[data-item]').length;

  const update = () => {
    let sum = 0;
    for (const row of items.querySelectorAll('[data-item]')) {
      const p = price(row.querySelector('[data-price]').value);
      const q = Number(row.querySelector('[data-quantity]').value);
      if (Number.isFinite(p) && Number.isInteger(q) && q > 0) sum += p * q;
    }
    total.textContent = money(sum, total.dataset.currency, total.dataset.locale);
  };

  // Legends count the rows as they stand ("Item 1", "Item 2"), from the template's wording.
  const legendText = template.content.querySelector('legend').textContent;
  const renumber = () => {
    const rows = items.querySelectorAll('[data-item]');
    rows.forEach((row, i) => {
      row.querySelector('legend').textContent = legendText.replace('__n__', String(i + 1));
      const remove = row.querySelector('[data-remove]');
      if (remove) {
        remove.hidden = rows.length === 1;
        remove.querySelector('.visually-hidden').textContent = ` ${row.querySelector('legend').textContent}`;
      }
    });
  };

  const withRemove = (row) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link remove';
    button.dataset.remove = '';
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    button.append(removeLabel, hidden);
    button.addEventListener('click', () => {
      const focusTarget = row.previousElementSibling || row.nextElementSibling;
      row.remove();
      renumber();
      update();
      focusTarget?.querySelector('input')?.focus();
    });
    row.append(button);
  };

  for (const row of items.querySelectorAll('[data-item]')) withRemove(row);

  // With the script, "Add item" adds the row here instead of posting the form (and Enter charges).
  add.type = 'button';
  add.addEventListener('click', () => {
    const fragment = template.content.cloneNode(true);
    const index = String(next++);
    for (const el of fragment.querySelectorAll('[id], [for]')) {
      for (const attr of ['id', 'for']) if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replace('__i__', index));
    }
    const row = fragment.querySelector('[data-item]');
    withRemove(row);
    items.append(fragment);
    renumber();
    update();
    row.querySelector('input').focus();
  });

  form.addEventListener('input', update);
  // One tap is one sale: a second submit while the first is under way is dropped (the sale key would make it the same payment anyway).
  form.addEventListener('submit', (event) => {
    if (form.dataset.submitting) event.preventDefault();
    else form.dataset.submitting = '1';
  });
  window.addEventListener('pageshow', () => delete form.dataset.submitting);
  renumber();
  update();
}

function saleStatus(area) {
  const url = area.dataset.events;
  if (!url || typeof EventSource !== 'function') return;
  const status = area.querySelector('[data-status]');
  const note = area.querySelector('[data-note]');
  const refresh = area.querySelector('[data-refresh]');
  const sections = document.querySelectorAll('[data-section]');
  const link = (selector, href) => {
    const a = document.querySelector(selector);
    if (!a) return;
    a.hidden = !href;
    if (href && /^https?:/.test(href)) a.href = href;
  };
  const source = new EventSource(url);
  source.addEventListener('open', () => {
    if (refresh) refresh.hidden = true;
  });
  source.addEventListener('status', (event) => {
    const state = JSON.parse(event.data);
    // The same words as the page rendered them: "Betald ✓ 140,00 kr", "Paid ✓ SEK 140.00".
    const text = state.paid ? `${state.label} ✓ ${money(state.amount, state.currency, area.dataset.locale)}` : state.label;
    if (status.textContent !== text) status.textContent = text;
    status.dataset.status = state.status;
    status.className = `status ${state.kind}`;
    note.hidden = !state.note;
    note.textContent = state.note || '';
    for (const section of sections) {
      const key = section.dataset.section;
      section.hidden = !(key === 'awaiting' ? state.awaiting : key === 'refund' ? state.refundable : true);
    }
    link('[data-receipt]', state.receipt_url);
    link('[data-invoice]', state.invoice_url);
    if (state.final) source.close();
  });
  source.addEventListener('error', () => {
    // EventSource reconnects by itself; meanwhile the refresh link is there again.
    if (refresh && source.readyState !== EventSource.OPEN) refresh.hidden = false;
  });
}

for (const form of document.querySelectorAll('[data-sale-form]')) saleForm(form);
for (const area of document.querySelectorAll('[data-status-area]')) saleStatus(area);
