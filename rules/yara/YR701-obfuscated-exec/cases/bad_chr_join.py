# Inert fixture: the codes spell print('modelgate-canary').
x = [112, 114, 105, 110, 116, 40, 39, 109, 111, 100, 101, 108, 103, 97, 116, 101, 39, 41]
exec("".join(map(chr, x)))  # expect: YR701
