// Start the GOV.UK Frontend components on every page (a module script, allowed by the CSP as 'self').
import { initAll } from './govuk-frontend.min.js'

initAll()

// Work that takes more than a second says so while it runs (#25): a POST form that is still
// waiting a second after it was sent shows its `data-portal-busy` text (or the page's default)
// beside its button, in a status region made empty at once so screen readers announce the text.
const defaultBusy = document.body.dataset.portalBusy || ''
for (const form of document.querySelectorAll('form[method="post" i]')) {
  form.addEventListener('submit', (event) => {
    const text = form.dataset.portalBusy || defaultBusy
    if (!text || event.defaultPrevented) return
    let status = form.querySelector('.portal-busy')
    if (!status) {
      status = document.createElement('p')
      status.className = 'govuk-body portal-busy'
      status.setAttribute('role', 'status')
      form.appendChild(status)
    }
    window.setTimeout(() => { status.textContent = text }, 1000)
  })
}
