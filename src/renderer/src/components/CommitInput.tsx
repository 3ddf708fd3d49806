import { useState } from 'react'

interface Props {
  testId: string
  /** the stored value; the input follows it until the user edits */
  value: string
  onCommit: (text: string) => void
  type?: 'text' | 'number'
  placeholder?: string
  disabled?: boolean
}

/** An input whose edit is sent on Enter or when it loses focus, not on every keystroke. */
export function CommitInput({
  testId,
  value,
  onCommit,
  type = 'text',
  placeholder,
  disabled,
}: Props): React.JSX.Element {
  const [draft, setDraft] = useState<string | null>(null)
  const commit = (): void => {
    if (draft !== null && draft !== value) onCommit(draft)
    setDraft(null)
  }
  return (
    <input
      type={type}
      data-testid={testId}
      value={draft ?? value}
      placeholder={placeholder}
      disabled={disabled}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit()
        if (e.key === 'Escape') setDraft(null)
      }}
    />
  )
}
