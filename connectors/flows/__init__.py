"""Channel flows written once: each takes a small protocol a channel connector implements.

`catalogue` (import and link listings), `orders` (get orders: page, write, route) and
`shipments` (push shipments once, complete what is done). A connector supplies only what
talks to its API; the store work is `store.commands`.
"""
