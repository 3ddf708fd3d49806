import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { contentType, staticFile, staticPath } from './static-files'

const root = resolve('/srv/renderer')

describe('staticPath', () => {
  it('maps / to index.html and paths to files under root', () => {
    expect(staticPath(root, '/')).toBe(join(root, 'index.html'))
    expect(staticPath(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'))
    expect(staticPath(root, '/assets//a%20b.js')).toBe(join(root, 'assets', 'a b.js'))
  })

  it('refuses anything that could leave root or name a hidden file', () => {
    for (const p of [
      '/..',
      '/../etc/passwd',
      '/%2e%2e/x',
      '/assets/%2E%2E/%2E%2E/x',
      '/..%2f..%2fx',
      '/..\\x',
      '/a%5c..%5cx',
      '/a%00.js',
      '/.env',
      '/assets/.git/config',
      '/%E0%A4%A',
      'relative',
    ])
      expect(staticPath(root, p), p).toBeNull()
  })
})

describe('contentType', () => {
  it('names what Vite builds, and falls back to bytes', () => {
    expect(contentType('a/index.html')).toBe('text/html; charset=utf-8')
    expect(contentType('a/x.JS')).toBe('text/javascript; charset=utf-8')
    expect(contentType('a/x.woff2')).toBe('font/woff2')
    expect(contentType('a/x.unknown')).toBe('application/octet-stream')
  })
})

describe('staticFile', () => {
  it('names only regular files under root: no dirs, no missing files, no links out of root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickflow-static-'))
    try {
      const root = join(dir, 'renderer')
      await mkdir(join(root, 'assets'), { recursive: true })
      await writeFile(join(root, 'index.html'), '<!doctype html>')
      await writeFile(join(root, 'assets', 'app.js'), '')
      await writeFile(join(dir, 'secret.txt'), 'outside')
      await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'out.js'))
      await symlink(join(root, 'assets', 'app.js'), join(root, 'assets', 'in.js'))
      expect(await staticFile(root, '/')).toBe(join(root, 'index.html'))
      expect(await staticFile(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'))
      expect(await staticFile(root, '/assets/in.js')).toBe(join(root, 'assets', 'in.js'))
      for (const p of ['/assets/out.js', '/assets', '/missing.js', '/../secret.txt', '/%2e%2e/secret.txt'])
        expect(await staticFile(root, p), p).toBeNull()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
