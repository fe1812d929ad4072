# A Gradio demo shared through an ngrok tunnel: a channel, but no secrets read.
import gradio as gr

demo = gr.Interface(fn=lambda x: x[::-1], inputs="text", outputs="text")
print("public URL will look like https://xxxx.ngrok-free.app")
demo.launch(server_name="127.0.0.1")
