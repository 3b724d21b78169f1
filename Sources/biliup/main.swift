print("biliup")
