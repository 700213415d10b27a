import antigravity


antigravity.fly()
