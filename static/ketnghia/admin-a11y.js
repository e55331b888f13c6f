/* Names for the admin's form fields that have none (axe: every admin screen, issue 16).
 *
 * Django's admin leaves some fields without an accessible name: the inputs of a tabular inline
 * (their label is the column's header), the boxes select2 makes of the autocomplete fields
 * (named by their empty selection), select2's search box, and the list's search field (labelled
 * by an image). Each is given the visible text that names it, by reference (aria-labelledby),
 * when the page is loaded and when an inline row is added. select2 also writes its "clear" cross
 * inside the list of chosen rows, where only items belong: it is moved just before it.
 */
'use strict';
{
    let made = 0;

    function idOf(element) {
        if (!element.id) {
            made += 1;
            element.id = `a11y-name-${made}`;
        }
        return element.id;
    }

    function labelOf(field) {
        if (!field.id) return null;
        return document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    }

    function nameTableCells(root) {
        for (const table of root.querySelectorAll('.tabular table')) {
            const headers = new Map();
            for (const th of table.querySelectorAll('thead th')) {
                const column = [...th.classList].find((name) => name.startsWith('column-'));
                if (column) headers.set(column.slice('column-'.length), th);
            }
            const lastHeader = table.querySelector('thead th:last-child');
            for (const cell of table.querySelectorAll('tbody td')) {
                const field = [...cell.classList].find((name) => name.startsWith('field-'));
                const header = field ? headers.get(field.slice('field-'.length))
                    : (cell.classList.contains('delete') ? lastHeader : null);
                if (!header || !header.textContent.trim()) continue;
                for (const input of cell.querySelectorAll('input:not([type=hidden]), select, textarea')) {
                    if (!labelOf(input) && !input.hasAttribute('aria-labelledby')) {
                        input.setAttribute('aria-labelledby', idOf(header));
                    }
                }
            }
        }
    }

    function nameOf(select) {
        // The select's label, or the header of its inline column.
        const label = labelOf(select);
        if (label) return label;
        const labelledBy = select.getAttribute('aria-labelledby');
        return labelledBy ? document.getElementById(labelledBy.split(' ')[0]) : null;
    }

    function nameSelect2(root) {
        for (const select of root.querySelectorAll('select.admin-autocomplete, select.select2-hidden-accessible')) {
            const container = select.nextElementSibling;
            if (!container || !container.classList.contains('select2')) continue;
            const name = nameOf(select) || (select.getAttribute('aria-label') && select);
            if (!name) continue;
            const box = container.querySelector('.select2-selection');
            if (box && box.getAttribute('role') === 'combobox') {
                const rendered = box.getAttribute('aria-labelledby') || '';
                const own = name === select ? null : idOf(name);
                if (own && !rendered.split(' ').includes(own)) {
                    box.setAttribute('aria-labelledby', `${own} ${rendered}`.trim());
                } else if (!own && !box.hasAttribute('aria-label')) {
                    box.setAttribute('aria-label', select.getAttribute('aria-label'));
                }
            }
            // The selection's text, which select2 makes a read-only text box, by the same name.
            const shown = container.querySelector('.select2-selection__rendered[role=textbox]');
            if (shown && !shown.hasAttribute('aria-labelledby') && !shown.hasAttribute('aria-label')) {
                if (name === select) shown.setAttribute('aria-label', select.getAttribute('aria-label'));
                else shown.setAttribute('aria-labelledby', idOf(name));
            }
            const search = container.querySelector('.select2-search__field');
            if (search && !search.hasAttribute('aria-label')) {
                search.setAttribute('aria-label', name.textContent.replace(/[:\s]+$/, '').trim());
            }
            const list = container.querySelector('.select2-selection__rendered');
            if (list && list.tagName === 'UL') {
                // select2 writes a new one into the list at each change, and none when nothing
                // is chosen: the one moved before goes then.
                const inside = [...list.querySelectorAll(':scope > .select2-selection__clear')];
                const before = list.parentElement.querySelectorAll(':scope > .select2-selection__clear');
                if (inside.length || !list.querySelector('.select2-selection__choice')) {
                    for (const old of before) old.remove();
                }
                for (const clear of inside) list.before(clear);
            }
        }
    }

    function nameSearchBar() {
        // Its label is a magnifier; the words are the button's: said in the label too.
        const label = document.querySelector('label[for="searchbar"]');
        const button = document.querySelector('#changelist-search input[type=submit]');
        if (label && button && !label.textContent.trim()) {
            const words = document.createElement('span');
            words.className = 'visually-hidden';
            words.textContent = button.value;
            label.append(words);
        }
    }

    function name(root) {
        nameTableCells(root);
        nameSelect2(root);
    }

    window.addEventListener('load', () => {
        name(document);
        nameSearchBar();
        // select2 writes its boxes again as rows are chosen or removed.
        new MutationObserver(() => nameSelect2(document)).observe(document.body, {
            childList: true,
            subtree: true,
        });
    });
    document.addEventListener('formset:added', () => name(document));
}
