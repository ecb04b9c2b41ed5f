"""One builder per logical plan node: each returns a processor (a function taking a
`Rec`) wired to the next one downstream."""
