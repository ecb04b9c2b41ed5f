"""HTTP apps: thin Starlette/FastAPI layers over the service libraries.

Each app parses a request, calls the library below and renders the answer; errors are
`ToteError`s rendered by the one handler in `tote.http.common`. Nothing below this
package imports an HTTP framework.
"""
