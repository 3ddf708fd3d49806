// first: zod must be told before any schema is built (see the module)
import './zod-jitless'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
// the colour variables first: main.css uses them
import 'virtual:theme.css'
import './assets/main.css'

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}
