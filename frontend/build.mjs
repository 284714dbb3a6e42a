// Build the portal's static assets from the pinned govuk-frontend package: Sass to CSS,
// the frontend JS, and the portal's own icon. Output is not committed.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const out = join(root, 'portal', 'static')

rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'css'), { recursive: true })
mkdirSync(join(out, 'js'), { recursive: true })

const result = sass.compile(join(root, 'frontend', 'portal.scss'), {
  importers: [new sass.NodePackageImporter()],
  style: 'compressed',
  quietDeps: true
})
writeFileSync(join(out, 'css', 'portal.css'), result.css)
// The package's fonts (GDS Transport) and icons (the crown) are GOV.UK's own: ship ours instead.
cpSync(join(root, 'frontend', 'images'), join(out, 'images'), { recursive: true })
cpSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'js', 'govuk-frontend.min.js'))
cpSync(join(root, 'frontend', 'portal.mjs'), join(out, 'js', 'portal.js'))
console.log('built portal/static (css, js, assets)')
