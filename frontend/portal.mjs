// Start the GOV.UK Frontend components on every page (a module script, allowed by the CSP as 'self').
import { initAll } from './govuk-frontend.min.js'

initAll()

// A job's status page (#26): fetch the page again every few seconds and put its progress region in
// place of this one, so the count rises without a reload; stop once the job is finished. Without
// JavaScript the page's <noscript> refresh does the same by reloading.
const progress = document.querySelector('[data-job-progress][data-refresh]')
if (progress) {
  const seconds = Number(progress.dataset.refresh) || 3
  const poll = async () => {
    try {
      const response = await fetch(window.location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), 'text/html')
        const fresh = page.querySelector('[data-job-progress]')
        if (!fresh && progress.hasAttribute('data-reload-when-done')) {
          window.location.reload()
          return
        }
        if (fresh) {
          const count = document.getElementById('job-count')
          const freshCount = fresh.querySelector('#job-count')
          for (const child of [...progress.children]) {
            if (child !== count) child.remove()
          }
          for (const child of [...fresh.children]) {
            if (child.id !== 'job-count') progress.appendChild(document.importNode(child, true))
          }
          // The status line keeps its element, so screen readers announce its new text.
          if (count && freshCount) count.textContent = freshCount.textContent
          if (!fresh.hasAttribute('data-refresh')) {
            // A page whose whole content changes when its job is done (a GIAS upload's preview) loads it.
            if (progress.hasAttribute('data-reload-when-done')) {
              window.location.reload()
              return
            }
            initAll({ scope: progress })
            return
          }
        }
      }
    } catch (error) {
      // A failed fetch (the server restarting, say) is tried again at the next interval.
    }
    window.setTimeout(poll, seconds * 1000)
  }
  window.setTimeout(poll, seconds * 1000)
}

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
