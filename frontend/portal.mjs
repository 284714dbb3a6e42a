// Start the GOV.UK Frontend components on every page (a module script, allowed by the CSP as 'self').
import { initAll } from './govuk-frontend.min.js'

initAll()
