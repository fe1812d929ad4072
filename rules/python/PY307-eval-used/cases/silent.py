import ast
model.eval()
net.module.eval()
v = ast.literal_eval("[1, 2]")
